"""Draw the import graph of the submission path: docs/dependencies-before.png / -after.png.

    .venv/bin/python scripts/dependency_graph.py --out docs/dependencies-after.png
    git archive dcb9deb src | tar -x -C /tmp/before
    .venv/bin/python scripts/dependency_graph.py --src /tmp/before/src \
        --out docs/dependencies-before.png --title "Before (dcb9deb): the submission path"

grimp (import-linter's graph library) reads every import, including those inside functions;
modules of the API, the use cases, the jobs and the services are drawn one by one, everything
below them as one box per package. Layers run top to bottom as in pyproject.toml's
[tool.importlinter] contract; a red edge points up a layer, across independent siblings
(jobs | services | reports) or closes a cycle. Needs graphviz's `dot`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

LAYERS = [
    ["cli"],
    ["api"],
    ["workflows"],
    ["jobs", "services", "reports"],
    ["db", "storage", "security", "observability"],
    ["engine"],
    ["config", "errors"],
]
RANK = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}
DETAILED = ("aaie.api.routes", "aaie.workflows", "aaie.jobs", "aaie.services")
HIDDEN = {"aaie", "aaie.cli", "aaie.observability", "aaie.security", "aaie.config", "aaie.errors"}
# Off the submission path: the app factory, deps and schemas (drawn, they only add noise), and
# the routes and services of auth, users, audit, health and the LLM dev tools.
OFF_PATH = {
    "aaie.api",
    "aaie.api.routes",
    "aaie.api.routes.auth",
    "aaie.api.routes.audit",
    "aaie.api.routes.health",
    "aaie.api.routes.llm",
    "aaie.services.bootstrap",
    "aaie.services.ratelimit",
    "aaie.services.user_lookup",
    "aaie.services.users",
    # Nearly every module imports the models: drawn, those edges (all downward) hide the rest.
    "aaie.db",
    "aaie.storage",
}


def node_of(module: str) -> str:
    """The box a module is drawn in."""
    for prefix in DETAILED:
        if module == prefix or module.startswith(prefix + "."):
            parts = module.split(".")
            return ".".join(parts[:4]) if prefix == "aaie.api.routes" else ".".join(parts[:3])
    return ".".join(module.split(".")[:2])


def package(node: str) -> str:
    return node.split(".")[1] if "." in node else node


def build(src: Path) -> Counter[tuple[str, str]]:
    sys.path.insert(0, str(src.resolve()))
    import grimp

    graph = grimp.build_graph("aaie")
    edges: Counter[tuple[str, str]] = Counter()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = node_of(module), node_of(imported)
            if a != b and not {a, b} & (HIDDEN | OFF_PATH):
                edges[(a, b)] += 1
    return edges


def bad(edge: tuple[str, str], edges: Counter[tuple[str, str]]) -> bool:
    a, b = edge
    pa, pb = package(a), package(b)
    if pa != pb:
        return RANK[pa] >= RANK[pb]  # up a layer, or across independent siblings
    if a.startswith("aaie.api.routes.") and b.startswith("aaie.api.routes."):
        return True  # a route module leaning on a sibling route module
    return (b, a) in edges  # a two-module cycle inside a package


def dot(edges: Counter[tuple[str, str]], title: str) -> str:
    nodes = sorted({n for e in edges for n in e})
    lines = [
        "digraph G {",
        f'  label="{title}"; labelloc=t; fontsize=20; fontname="Helvetica";',
        "  rankdir=TB; newrank=true; nodesep=0.25; ranksep=0.6;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", fontname="Helvetica",'
        " fontsize=11];",
        '  edge [color="#8a94a6", arrowsize=0.6];',
    ]
    for i, layer in enumerate(LAYERS):
        members = [n for n in nodes if package(n) in layer]
        if not members:
            continue
        lines.append(f'  subgraph cluster_{i} {{ label="{" | ".join(layer)}"; fontsize=12;')
        lines.append('    style="rounded,dashed"; color="#c5cbd6";')
        lines.extend(f'    "{n}" [label="{n.removeprefix("aaie.")}"];' for n in members)
        lines.append("  }")
    for (a, b), count in sorted(edges.items()):
        attrs = f"penwidth={min(4, 0.6 + count / 4):.1f}"
        if bad((a, b), edges):
            attrs += ', color="#d1242f", penwidth=2.2'
        lines.append(f'  "{a}" -> "{b}" [{attrs}];')
    lines.append("}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path("src"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--title", default="")
    args = parser.parse_args()
    edges = build(args.src)
    n_bad = sum(bad(e, edges) for e in edges)
    title = (args.title or "aaie imports") + f"  ({n_bad} wrong-way imports, in red)"
    source = dot(edges, title)
    subprocess.run(["dot", "-Tpng", "-Gdpi=110", "-o", str(args.out)], input=source.encode(),
                   check=True)  # fmt: skip
    print(f"{args.out}: {len(edges)} edges, {n_bad} wrong-way")


if __name__ == "__main__":
    main()

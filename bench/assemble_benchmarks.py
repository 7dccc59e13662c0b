"""Rebuild docs/benchmarks.md from its hand-written preamble (title, machine, summary table: every
line before the first area section) and the per-area files in docs/benchmarks/, each with its
headings demoted one level.

    .venv/bin/python bench/assemble_benchmarks.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
AREAS = ("foundation", "detection", "scoring", "similarity", "workflow", "resilience")


def demote(markdown: str) -> str:
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        lines.append("#" + line if line.startswith("#") and not fenced else line)
    return "\n".join(lines).strip() + "\n"


def assemble() -> str:
    current = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    first_area = demote((DOCS / "benchmarks" / f"{AREAS[0]}.md").read_text()).splitlines()[0]
    preamble = current.split(first_area + "\n", 1)[0]
    parts = [demote((DOCS / "benchmarks" / f"{a}.md").read_text(encoding="utf-8")) for a in AREAS]
    return preamble.rstrip() + "\n\n" + "\n".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/benchmarks.md is stale")
    args = ap.parse_args()
    text = assemble()
    if args.check:
        sys.exit(int(text != (DOCS / "benchmarks.md").read_text(encoding="utf-8")))
    (DOCS / "benchmarks.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""Human expository writing to TRAIN on (issue 16, an experiment): research papers and
textbook-like explanations from Debian documentation packages other than the ones
bench/detection_human_docs.py evaluates on.

Why: held out by source, the detector flags 11.7 % of an unseen source's human academic prose and
57 % of its educational material (L2R held out), because the only human academic text it trains
on is arXiv abstracts and L2R's own. A model that has seen more human academic and teaching prose
of other writers may place an unseen source's human academic text lower. No AI counterpart exists
for these texts, so the question is the held-out trade: fewer false accusations of academic prose
for how much held-out AI caught. bench/detection_loso.py --extra-human measures it.

    .venv/bin/python bench/human_docs_training.py --out /tmp/work/extra_human.jsonl.gz

Sources (pinned by version and SHA-256 in Debian 12, `human_docs_training_packages.json`; each
text keeps the licences its package's Debian copyright file names; all GPL / Artistic / BSD-like
free licences, most of them GPL-2+ or GPL-3):
- the Sweave vignettes of 208 CRAN and Bioconductor packages (145 CRAN, 63 Bioconductor; 134 of
  them give at least one passage), most of them papers of the Journal of Statistical Software,
  technical reports or tutorials by academics (domain "academic"); none of the 13 packages the
  evaluation bench reads, nor those by their authors (Zeileis, Hothorn and co-authors);
- the scikit-learn user guide (statistical methods explained), the PostgreSQL tutorial and the
  Git user manual and tutorials (domain "educational").
At most PER_PACKAGE (research) / PER_TEACHING_PACKAGE (manuals) passages of 120-380 words per
package (seeded), English only: 761 academic + 72 educational = 833 texts.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_human_docs import (
    Package,
    fetch,
    page_passages,
    passages,
    rnw_paragraphs,
)

from aaie.engine.language import identify_language

PER_PACKAGE = 30  # research papers: no package's authors dominate
PER_TEACHING_PACKAGE = 150
SEED = 23


# [package, version, pool path, SHA-256] from Debian 12's Packages index (2026-12-07): every
# package whose vignettes are Sweave sources, less the 13 the evaluation bench reads and those by
# their authors (Zeileis, Hothorn and co-authors), plus three teaching manuals.
PINS = Path(__file__).with_name("human_docs_training_packages.json")
TEACHING = {
    "python-sklearn-doc": lambda path: "/html/modules/" in path,  # the user guide
    "postgresql-doc-15": lambda path: "/html/tutorial" in path,
    "git-doc": lambda path: path.endswith(("/user-manual.html", "/gittutorial.html",
                                            "/gittutorial-2.html", "/gitcore-tutorial.html")),
}  # fmt: skip


def packages() -> list[Package]:
    return [Package(name, version, pool, sha, "see the package's copyright file")
            for name, version, pool, sha in json.loads(PINS.read_text())]  # fmt: skip


def licence(files: dict[str, bytes], name: str) -> str:
    """The licences the package's Debian copyright file names (first three)."""
    text = files.get(f"usr/share/doc/{name}/copyright", b"").decode("utf-8", errors="replace")
    found = dict.fromkeys(re.findall(r"^License: *(\S+)", text, flags=re.M))
    return ", ".join(list(found)[:3]) or "unknown"


def package_texts(cache_dir: Path) -> dict[str, tuple[str, str, list[str]]]:
    """{package: (domain, licence, passages)}."""
    out: dict[str, tuple[str, str, list[str]]] = {}
    for package in packages():
        files = fetch(package, cache_dir)
        if package.name in TEACHING:
            found = page_passages(files, TEACHING[package.name])
            domain = "educational"
        else:
            found = []
            for path in sorted(files):
                if "/doc/" in path and path.endswith(".Rnw"):
                    source = files[path].decode("utf-8", errors="replace")
                    found += passages(rnw_paragraphs(source))
            domain = "academic"
        out[package.name] = (domain, licence(files, package.name), found)
    return out


def _english(texts: list[str]) -> list[str]:
    return [t for t in texts if identify_language(t).supported]


def sample(by_package: dict[str, tuple[str, str, list[str]]]) -> list[dict[str, object]]:
    rows = []
    for name, (domain, licence_names, texts) in sorted(by_package.items()):
        per_package = PER_TEACHING_PACKAGE if domain == "educational" else PER_PACKAGE
        unique = sorted(set(_english(texts)))
        chosen = random.Random(f"{SEED}-{name}").sample(unique, min(per_package, len(unique)))
        for text in chosen:
            digest = hashlib.sha1(text.encode()).hexdigest()[:12]
            rows.append({"id": f"docs-{name}-{digest}", "text": text, "label": "human",
                         "domain": domain, "package": name, "licence": licence_names})  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/human-docs-train"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/work/extra_human.jsonl.gz"))
    args = ap.parse_args()
    found = package_texts(args.cache_dir)
    for name, (domain, licence_names, texts) in sorted(found.items()):
        print(f"{name} ({domain}; {licence_names}): {len(texts)} passages")
    rows = sample(found)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    print(f"{len(rows)} texts written to {args.out}")


if __name__ == "__main__":
    main()

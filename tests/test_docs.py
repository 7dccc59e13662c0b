"""docs/benchmarks.md is assembled from docs/benchmarks/*.md: a figure updated in one place must
not go stale in the other. Regenerate with `.venv/bin/python bench/assemble_benchmarks.py`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmarks_md_matches_its_area_files() -> None:
    spec = importlib.util.spec_from_file_location("assemble", ROOT / "bench/assemble_benchmarks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.assemble() == (ROOT / "docs/benchmarks.md").read_text(encoding="utf-8"), (
        "docs/benchmarks.md is stale: run bench/assemble_benchmarks.py"
    )

"""`aaie score`: rubric scores of essay files, calibrated by the teacher's own grades."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aaie.cli import app
from aaie.engine.rubric.calibration import MIN_GRADED
from tests.api.workflow_support import ESSAY, PROMPT, essay_variant

runner = CliRunner()


def score(tmp_path: Path, files: list[Path], *extra: str) -> list[dict[str, Any]]:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text(PROMPT, encoding="utf-8")
    result = runner.invoke(
        app, ["score", *map(str, files), "--prompt", str(prompt), "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def essays(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = tmp_path / f"essay{i}.txt"
        path.write_text(essay_variant(i) if i < n - 1 else ESSAY, encoding="utf-8")
        paths.append(path)
    return paths


def test_scores_every_file_with_rubric_and_feedback(tmp_path: Path) -> None:
    rows = score(tmp_path, essays(tmp_path, 2))
    assert [Path(r["file"]).name for r in rows] == ["essay0.txt", "essay1.txt"]
    for row in rows:
        names = [c["name"] for c in row["rubric"]["criteria"]]
        assert names == ["Structure", "Clarity", "Relevance", "AcademicWriting"]
        assert row["feedback"]["next_steps"]
        assert row["rubric"]["calibration"] is None


def test_graded_files_calibrate_the_others(tmp_path: Path) -> None:
    files = essays(tmp_path, MIN_GRADED + 1)
    raw = {Path(r["file"]).name: r["rubric"]["overall_score"] for r in score(tmp_path, files)}
    graded = {f.name: {"overall": min(1.0, raw[f.name] + 0.2)} for f in files[:MIN_GRADED]}
    grades = tmp_path / "grades.json"
    grades.write_text(json.dumps(graded), encoding="utf-8")

    rows = {
        Path(r["file"]).name: r["rubric"] for r in score(tmp_path, files, "--grades", str(grades))
    }
    ungraded = rows[files[-1].name]
    assert ungraded["calibration"]["graded_essays"] == MIN_GRADED
    assert ungraded["overall_score"] == pytest.approx(min(1.0, raw[files[-1].name] + 0.2), abs=1e-4)
    # A graded file is calibrated on the others only: four, too few.
    assert rows[files[0].name]["calibration"] is None


def test_a_malformed_grades_file_is_a_usage_error(tmp_path: Path) -> None:
    files = essays(tmp_path, 1)
    grades = tmp_path / "grades.json"
    grades.write_text(json.dumps({"essay0.txt": {"overall": "Great"}}), encoding="utf-8")
    result = runner.invoke(app, ["score", str(files[0]), "--grades", str(grades)])
    assert result.exit_code == 2
    assert "--grades" in result.output

"""The CLI reads essay files as the API reads uploads (.txt, .md, .docx, .pdf) and refuses what
it cannot read with the API's message and exit code 2, before evaluating anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aaie.cli import app
from tests.api.workflow_support import ESSAY
from tests.engine.test_detection import SPANISH
from tests.files_samples import docx_bytes, pdf_bytes, png_bytes, zip_bytes

runner = CliRunner()
PARAGRAPHS = ESSAY.split("\n\n")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_detect_reads_a_word_document_and_a_pdf(tmp_path: Path) -> None:
    docx = _write(tmp_path, "essay.docx", docx_bytes(PARAGRAPHS))
    pdf = _write(tmp_path, "essay.pdf", pdf_bytes(PARAGRAPHS))
    result = runner.invoke(app, ["detect", str(docx), str(pdf), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["file"] for r in rows] == [str(docx), str(pdf)]
    assert all(r["label"] in ("Human", "AI", "Hybrid") and r["word_count"] > 200 for r in rows)


def test_detect_shows_no_score_for_a_text_it_does_not_judge(tmp_path: Path) -> None:
    spanish = _write(tmp_path, "ensayo.txt", SPANISH.encode())
    english = _write(tmp_path, "essay.txt", ESSAY.encode())
    result = runner.invoke(app, ["detect", str(spanish), str(english)], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    row_es = next(line for line in result.output.splitlines() if "ensayo.txt" in line)
    row_en = next(line for line in result.output.splitlines() if "essay.txt" in line)
    assert "not judged" in row_es and "language not supported (es)" in row_es
    assert "threshold" not in row_es and "%" not in row_es  # no score beside "not judged"
    assert "threshold" in row_en and "not judged" not in row_en
    # A judged text says how often human writing like it was labelled, held out too.
    assert "labelled in validation" in row_en and "from sources not trained on" in row_en


def test_score_reads_the_words_of_a_docx_not_its_zip_bytes(tmp_path: Path) -> None:
    docx = _write(tmp_path, "essay.docx", docx_bytes(PARAGRAPHS))
    result = runner.invoke(app, ["score", str(docx), "--json", "--no-feedback"])
    assert result.exit_code == 0, result.output
    row = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("{")))
    quoted = " ".join(e for c in row["rubric"]["criteria"] for e in c["evidence"])
    assert "PK" not in quoted and "word/document.xml" not in quoted


@pytest.mark.parametrize(
    ("command", "name", "data", "message"),
    [
        ("score", "essays.zip", zip_bytes(), "not accepted"),
        ("detect", "essay.docx", zip_bytes(), "not"),  # a zip named .docx
        ("evaluate", "picture.png", png_bytes(), "not accepted"),
        ("redact", "empty.txt", b"", "empty"),
    ],
)
def test_unreadable_files_are_refused_with_exit_code_2(
    tmp_path: Path, command: str, name: str, data: bytes, message: str
) -> None:
    path = _write(tmp_path, name, data)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and message in result.output.lower()

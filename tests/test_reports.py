"""Report rendering: the PDF opens and says what it should, for the right audience only; the
zip carries the PDF, evaluation.json and the originals."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest
from pypdf import PdfReader

from aaie.reports import render_pdf, render_zip
from tests.report_samples import (
    TEACHER_ONLY_PHRASES,
    student_package,
    teacher_package,
)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text)  # line wrapping is layout, not content


@pytest.fixture(scope="module")
def teacher_pdf() -> bytes:
    return render_pdf(teacher_package())


@pytest.fixture(scope="module")
def student_pdf() -> bytes:
    return render_pdf(student_package())


def test_teacher_pdf_shows_every_teacher_section(teacher_pdf: bytes) -> None:
    assert teacher_pdf.startswith(b"%PDF-")
    text = pdf_text(teacher_pdf)
    for expected in [
        "Renewable energy in cities",  # assignment title
        "jordan.lee@student.example.edu",
        "TEACHER COPY",
        "CLASSIFICATION",
        "Hybrid",
        "confidence 74%",
        "False-positive rate",
        "4.8%",  # the FPR note with its measured rate
        "AI SCORE",
        "63.0 / 100",  # one decimal, as the threshold beside it
        "flag threshold 50.0",
        "SIMILARITY",
        "47%",
        "flagged",
        "Matched sources",
        "Chat log turn 2 (AI)",
        "Assignment prompt",
        "verbatim",
        "Likely AI-generated",
        "Overlaps the prompt",
        "From the AI chat log",  # legend
        "Rubric",
        "Structure",
        "Academic Writing",
        "transition words",  # evidence
        "Feedback",
        "Next steps",
        "Version history",
        "v1",
        "v2",
        "Human",
        "needs follow up",
        "Should cities invest in renewable energy?",  # the essay itself
    ]:
        assert expected in text, expected


def test_student_pdf_has_feedback_and_rubric_but_no_teacher_findings(student_pdf: bytes) -> None:
    text = pdf_text(student_pdf)
    for expected in [
        "STUDENT COPY",
        "Renewable energy in cities",
        "Rubric",
        "Structure",
        "Good",
        "Feedback",
        "What works",
        "Version history",
        "Should cities invest in renewable energy?",
    ]:
        assert expected in text, expected
    for forbidden in TEACHER_ONLY_PHRASES:
        assert forbidden.lower() not in text.lower(), forbidden
    assert "transition words" not in text  # rubric evidence is teacher-only here


def test_student_pdf_drops_teacher_sections_even_if_the_package_leaks_them() -> None:
    """Defence in depth: a student package that wrongly carries findings renders without them."""
    leaky = teacher_package()
    leaky["audience"] = "student"
    text = pdf_text(render_pdf(leaky))
    for forbidden in (
        "CLASSIFICATION",
        "Hybrid",
        "AI score",
        "Matched sources",
        "False-positive rate",
        "needs follow up",
        "TEACHER COPY",
    ):
        assert forbidden.lower() not in text.lower(), forbidden


def test_pdf_metadata_names_the_submission(teacher_pdf: bytes) -> None:
    meta = PdfReader(io.BytesIO(teacher_pdf)).metadata
    assert meta is not None and "Renewable energy" in str(meta.title)


def test_minimal_and_failed_packages_still_render() -> None:
    """Before an evaluation exists (queued/failed) the report is the essay and its status."""
    minimal: dict[str, Any] = {
        "submissionId": "s-1",
        "audience": "teacher",
        "version": "v1",
        "text": "Short text.",
        "evaluation": None,
        "error": "engine timed out",
        "versions": [],
    }
    text = pdf_text(render_pdf(minimal))
    assert "Short text." in text and "Evaluation failed" in text and "engine timed out" in text


def test_nested_package_shape_is_read_too() -> None:
    """The `{assignment: {...}, student: {...}}` shape with highlights as a plain list."""
    package = {
        "submission_id": "abc",
        "audience": "teacher",
        "version": "v3",
        "status": "reviewed",
        "assignment": {
            "title": "Climate letter",
            "prompt_id": "P009",
            "prompt_text": "Write a letter.",
        },
        "student": {"email": "sam@example.edu"},
        "text": "Dear mayor, act now please.",
        "created_at": "2026-11-01T10:00:00Z",
        "evaluation": {
            "classification": {
                "label": "AI",
                "confidence": 0.9,
                "fpr_at_threshold": 0.01,
                "threshold": 0.5,
                "reasons": ["uniform sentence shapes"],
            },
            "ai_score": 91.0,
            "highlights": [
                {"start": 0, "end": 10, "kind": "ai", "score": 0.9},
                {"start": 5, "end": 500, "kind": "chat_overlap", "score": 1.0},
                {"start": 3, "end": 2, "kind": "ai", "score": 0.1},
            ],
            "rubric": {
                "compact": {"Structure": "Fair"},
                "criteria": [
                    {
                        "name": "Structure",
                        "label": "Fair",
                        "score": 0.4,
                        "evidence": ["one paragraph"],
                    }
                ],
            },
            "feedback": "Add a second paragraph.",
        },
        "versions": [{"version": "v3", "created_at": "2026-11-01T10:00:00Z", "label": "AI"}],
    }
    text = pdf_text(render_pdf(package))
    for expected in [
        "Climate letter",
        "sam@example.edu",
        "P009",
        "91.0 / 100",
        "uniform sentence",
        "one paragraph",
        "Add a second paragraph.",
        "reviewed",
        "1.0%",
    ]:
        assert expected in text, expected


def test_user_text_cannot_inject_markup() -> None:
    package = teacher_package()
    package["text"] = "Tags <b>stay</b> & <font color='red'>literal</font> <br/> text."
    package["evaluation"]["highlights"] = {
        "spans": [{"start": 0, "end": 9, "kind": "ai", "score": 0.9}]
    }
    text = pdf_text(render_pdf(package))
    assert "<b>stay</b> & <font color='red'>literal</font> <br/>" in text


def test_long_essays_flow_over_pages() -> None:
    package = teacher_package()
    package["text"] = "\n\n".join(["A paragraph of the essay that goes on. " * 12] * 40)
    reader = PdfReader(io.BytesIO(render_pdf(package)))
    assert len(reader.pages) >= 5
    assert f"of {len(reader.pages)}" in (reader.pages[-1].extract_text() or "")


def test_zip_holds_the_pdf_the_json_and_the_originals(teacher_pdf: bytes) -> None:
    package = teacher_package()
    originals = [
        ("v1-essay.docx", b"docx-1"),
        ("v2-essay.docx", b"docx-2"),
        ("v2-essay.docx", b"same name"),
        ("../../evil.txt", b"x"),
    ]
    data = render_zip(package, teacher_pdf, originals)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[:2] == ["report.pdf", "evaluation.json"]
        assert archive.read("report.pdf") == teacher_pdf
        assert json.loads(archive.read("evaluation.json")) == package
        originals_in_zip = {n: archive.read(n) for n in names if n.startswith("originals/")}
    assert originals_in_zip == {
        "originals/v1-essay.docx": b"docx-1",
        "originals/v2-essay.docx": b"docx-2",
        "originals/v2-essay-2.docx": b"same name",
        "originals/evil.txt": b"x",
    }
    assert all(".." not in n and not n.startswith("/") for n in names)


def test_student_zip_json_has_no_teacher_fields(student_pdf: bytes) -> None:
    data = render_zip(student_package(), student_pdf, [])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        payload = archive.read("evaluation.json").decode()
        assert archive.namelist() == ["report.pdf", "evaluation.json"]
    for key in (
        "classification",
        "ai_score",
        "similarity",
        "highlights",
        "evaluation_details",
        "student_email",
    ):
        assert f'"{key}"' not in payload, key


def test_teacher_pdf_explains_score_and_share_in_words(teacher_pdf: bytes) -> None:
    """#20: the document score and the sentence share are explained where both are shown."""
    text = pdf_text(teacher_pdf)
    assert "is about the text as a whole" in text
    assert "share of sentences that read as AI-written one by one" in text


def test_pdf_of_too_little_text_says_not_enough_text() -> None:
    """#20: a three-word text is not "Human, confidence 50%" with four Poor bands."""
    package = teacher_package()
    why = "Not enough text to score: 3 words (at least 25 are needed)."
    details = package["evaluation_details"]
    details["classification"] = {**details["classification"], "insufficient_text": True,
                                 "label": "Human", "ai_fraction": 0.0}  # fmt: skip
    details["rubric"] = [
        {"name": n, "label": None, "score": None, "evidence": [why]}
        for n in ("Structure", "Clarity", "Relevance", "AcademicWriting")
    ]
    details["rubric_overall"] = {"score": None, "label": None, "engine": "builtin"}
    text = pdf_text(render_pdf(package))
    assert "Not enough text" in text and "too short to tell" in text
    assert "too short to score" in text and "not scored" in text
    assert "is about the text as a whole" not in text


def test_pdf_shows_why_a_criterion_has_no_band_and_the_overall_note() -> None:
    """#20: a custom criterion printed as "Counterargume nt –", with no reason."""
    package = teacher_package()
    details = package["evaluation_details"]
    details["rubric"] = [
        *details["rubric"],
        {"name": "Hand-drawn diagrams", "label": None, "score": None, "evidence": [],
         "reason": "the built-in scorer cannot judge drawings; score it by hand"},
    ]  # fmt: skip
    note = "Overall Good (0.65) differs from the criteria, which average 0.80 (Excellent)"
    details["rubric_overall"] = {**details["rubric_overall"], "notes": [note]}
    text = pdf_text(render_pdf(package))
    assert "Not scored by AAIE: the built-in scorer cannot judge drawings" in text
    assert note in text

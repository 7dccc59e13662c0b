"""The report's input, read once into one typed view.

`render_pdf` receives the submission package that the visibility filter already cut down to
the caller's audience. This module only *reads* it (two shapes are accepted: the API package
of `GET /api/submissions/{id}` and the nested shape `{assignment: {...}, student: {...}}`), so
the renderer never has to guess. As a second line of defence, a student report drops every
teacher-only section even if the package carried one by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HIGHLIGHT_KINDS = ("ai", "prompt_overlap", "chat_overlap")


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    kind: str
    score: float | None


@dataclass(frozen=True)
class RubricRow:
    name: str
    label: str | None
    score: float | None
    evidence: list[str]
    confidence: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class VersionRow:
    version: str
    created_at: str | None
    status: str | None
    label: str | None
    words: int | None


@dataclass
class ReportView:
    audience: str
    submission_id: str
    title: str
    prompt_id: str | None
    prompt_text: str | None
    student: str | None
    version: str
    created_at: str | None
    updated_at: str | None
    text: str
    status: str | None = None
    status_note: str | None = None
    evaluation_status: str | None = None
    error: str | None = None
    filename: str | None = None
    classification: dict[str, Any] | None = None
    ai_score: dict[str, Any] | None = None
    similarity: dict[str, Any] | None = None
    highlights: list[Highlight] = field(default_factory=list)
    rubric: list[RubricRow] = field(default_factory=list)
    rubric_overall: dict[str, Any] | None = None
    feedback: str | None = None
    strengths: list[str] = field(default_factory=list)
    next_steps: list[dict[str, Any]] = field(default_factory=list)
    versions: list[VersionRow] = field(default_factory=list)
    engine_version: str | None = None

    @property
    def is_teacher(self) -> bool:
        return self.audience == "teacher"


def read_report(report: dict[str, Any]) -> ReportView:
    audience = "teacher" if report.get("audience") == "teacher" else "student"
    evaluation = _dict(report.get("evaluation"))
    details = _dict(report.get("evaluation_details"))
    assignment = _dict(report.get("assignment"))
    text = report.get("text")
    if text is None:
        versions = report.get("versions") or []
        text = _dict(versions[-1]).get("text") if versions else ""
    view = ReportView(
        audience=audience,
        submission_id=str(report.get("submissionId") or report.get("submission_id") or ""),
        title=str(assignment.get("title") or report.get("assignment_title") or "Submission"),
        prompt_id=assignment.get("prompt_id") or report.get("prompt_id"),
        prompt_text=assignment.get("prompt_text") or report.get("prompt_text"),
        student=_dict(report.get("student")).get("email") or report.get("student_email"),
        version=str(report.get("version") or ""),
        created_at=report.get("created_at"),
        updated_at=report.get("updated_at"),
        text=str(text or ""),
        evaluation_status=report.get("evaluation_status"),
        error=report.get("error"),
        filename=_dict(report.get("file")).get("filename"),
        rubric=_rubric_rows(evaluation, details, _dict(report.get("rubric_notes"))),
        rubric_overall=_dict(details.get("rubric_overall")) or None,
        feedback=_feedback_text(evaluation.get("feedback")),
        versions=[_version_row(v, audience) for v in report.get("versions") or []],
        engine_version=details.get("engine_version") or evaluation.get("engine_version"),
    )
    fb = _dict(report.get("feedback_details")) or _dict(evaluation.get("feedback"))
    view.strengths = [str(s) for s in fb.get("strengths") or []]
    view.next_steps = [
        s if isinstance(s, dict) else {"text": str(s)} for s in fb.get("next_steps") or []
    ]
    if audience == "teacher":
        _read_teacher_sections(view, report, evaluation, details)
    return view


def _read_teacher_sections(
    view: ReportView, report: dict[str, Any], evaluation: dict[str, Any], details: dict[str, Any]
) -> None:
    view.status = report.get("status")
    view.status_note = report.get("status_note")
    cls = {**_dict(evaluation.get("classification")), **_dict(details.get("classification"))}
    view.classification = cls or None
    score = evaluation.get("ai_score")
    view.ai_score = (
        {"ai_score": score} if isinstance(score, int | float) else (_dict(score) or None)
    )
    view.similarity = _dict(evaluation.get("similarity")) or None
    view.highlights = _highlights(evaluation.get("highlights"), len(view.text))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _feedback_text(feedback: Any) -> str | None:
    if isinstance(feedback, dict):
        feedback = feedback.get("text")
    return feedback if isinstance(feedback, str) and feedback.strip() else None


def _rubric_rows(
    evaluation: dict[str, Any], details: dict[str, Any], notes: dict[str, Any]
) -> list[RubricRow]:
    """Per criterion its level, score and evidence; `notes` (criterion -> why it has no level,
    every audience) fills the reason where the detail does not carry it."""
    rubric = evaluation.get("rubric")
    criteria = details.get("rubric") if isinstance(details.get("rubric"), list) else None
    if criteria is None and isinstance(rubric, dict) and isinstance(rubric.get("criteria"), list):
        criteria = rubric["criteria"]
    if criteria:
        return [
            RubricRow(
                str(c.get("name", "")),
                c.get("label"),
                _float(c.get("score")),
                [str(e) for e in c.get("evidence") or []],
                _float(c.get("confidence")),
                str(c["reason"]) if c.get("reason") else None,
            )
            for c in criteria
            if isinstance(c, dict)
        ]
    compact = (
        _dict(rubric).get("compact") if isinstance(_dict(rubric).get("compact"), dict) else rubric
    )
    return [
        RubricRow(
            str(name),
            str(label) if label is not None else None,
            None,
            [],
            reason=str(notes[name]) if label is None and notes.get(name) else None,
        )
        for name, label in _dict(compact).items()
    ]


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _highlights(value: Any, text_length: int) -> list[Highlight]:
    spans = value.get("spans") if isinstance(value, dict) else value
    out = []
    for span in spans or []:
        if not isinstance(span, dict) or span.get("kind") not in HIGHLIGHT_KINDS:
            continue
        start, end = int(span.get("start", 0)), int(span.get("end", 0))
        start, end = max(0, start), min(end, text_length)  # offsets from a stale text: clip
        if end > start:
            out.append(Highlight(start, end, str(span["kind"]), _float(span.get("score"))))
    return _without_overlaps(out)


def _without_overlaps(spans: list[Highlight]) -> list[Highlight]:
    """Sorted and non-overlapping (the engine merges already; this keeps the renderer safe)."""
    out: list[Highlight] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end:
            if span.end <= out[-1].end:
                continue
            span = Highlight(out[-1].end, span.end, span.kind, span.score)
        out.append(span)
    return out


def _version_row(version: Any, audience: str) -> VersionRow:
    v = _dict(version)
    label = v.get("label") if audience == "teacher" else None
    if audience == "teacher" and label is None:
        label = _dict(_dict(v.get("evaluation")).get("classification")).get("label")
    text = v.get("text")
    words = len(text.split()) if isinstance(text, str) else None
    return VersionRow(
        str(v.get("version") or ""), v.get("created_at"), v.get("evaluation_status"), label, words
    )

"""The ONE place that turns stored submissions and evaluations into what a caller may see (§11.6).

* student (the submission's own student) → feedback and the public rubric (compact labels) only;
  never classification, AI score, similarity, highlights, rubric evidence or review status.
* teacher of the assignment / admin → everything:
    - future_scoring off → `evaluation` carries exactly the T2 fields
      `{classification: {label, confidence}, rubric: {criterion: label}, feedback: str}`;
    - future_scoring on  → also `ai_score`, `similarity` and `highlights`;
  plus `evaluation_details` (rubric evidence, the classifier's reasons and FPR note) and review
  status. Every API response, list item and downloadable report is built here, so a new field
  reaches nobody until it is added to one of the allow-lists below.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from aaie.config import Settings
from aaie.db.models import (
    Assignment,
    Role,
    StoredFile,
    Submission,
    SubmissionVersion,
    User,
)
from aaie.services.assignments import params_of

# Fields no student may ever receive, at any depth (the tests assert this on every route).
TEACHER_ONLY_KEYS = frozenset(
    {
        "classification",
        "ai_score",
        "similarity",
        "highlights",
        "label",
        "confidence",
        "evaluation_details",
        "flagged",
        "teacher_scores",
        "teacher_scores_version",
    }
)

_CLASSIFICATION_DETAIL_KEYS = (
    "label",
    "confidence",
    "ai_fraction",
    "threshold",
    "fpr_at_threshold",
    "insufficient_text",
    "reasons",
)
_AI_SCORE_KEYS = (
    "ai_score",
    "threshold",
    "fpr_at_threshold",
    "insufficient_text",
    "label_at_threshold",
)


class Audience(enum.StrEnum):
    student = "student"
    teacher = "teacher"


def audience_for(
    user: User, assignment: Assignment, submission: Submission | None = None
) -> Audience | None:
    """How `user` sees this assignment's submission(s); None when it must stay hidden (404)."""
    if user.role == Role.admin:
        return Audience.teacher
    if user.role == Role.teacher and assignment.owner_id == user.id:
        return Audience.teacher
    if user.role == Role.student and submission is not None and submission.student_id == user.id:
        return Audience.student
    return None


def future_scoring(assignment: Assignment, settings: Settings) -> bool:
    """The assignment's flag, else the instance-wide default."""
    value = params_of(assignment).future_scoring
    return settings.future_scoring if value is None else value


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite hands datetimes back without their zone)."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def version_label(number: int) -> str:
    return f"v{number}"


# --- evaluations ---------------------------------------------------------------------------


def _feedback_text(evaluation: dict[str, Any]) -> str | None:
    feedback = evaluation.get("feedback")
    if isinstance(feedback, dict):
        return feedback.get("text")
    return feedback if isinstance(feedback, str) else None


def _compact_rubric(evaluation: dict[str, Any]) -> dict[str, Any]:
    rubric = evaluation.get("rubric") or {}
    compact = rubric.get("compact") if isinstance(rubric, dict) else None
    if compact:
        return dict(compact)
    return {c["name"]: c.get("label") for c in (rubric.get("criteria") or [])}


def evaluation_view(
    evaluation: dict[str, Any] | None, audience: Audience, *, future: bool
) -> dict[str, Any] | None:
    """The §11.3 `evaluation` object for this audience (None until an evaluation exists)."""
    if not evaluation:
        return None
    out: dict[str, Any] = {}
    if audience == Audience.teacher:
        cls = evaluation.get("classification") or {}
        out["classification"] = {"label": cls.get("label"), "confidence": cls.get("confidence")}
    out["rubric"] = _compact_rubric(evaluation)
    out["feedback"] = _feedback_text(evaluation)
    if audience == Audience.teacher and future:
        score = evaluation.get("ai_score") or {}
        out["ai_score"] = {k: score.get(k) for k in _AI_SCORE_KEYS if k in score}
        out["similarity"] = evaluation.get("similarity")
        out["highlights"] = evaluation.get("highlights")
    return out


def feedback_details(evaluation: dict[str, Any] | None) -> dict[str, Any] | None:
    """Student-facing feedback structure (strengths, next steps quoting the student's text)."""
    feedback = (evaluation or {}).get("feedback")
    if not isinstance(feedback, dict):
        return None
    return {
        "strengths": list(feedback.get("strengths") or []),
        "next_steps": list(feedback.get("next_steps") or []),
    }


def evaluation_details(evaluation: dict[str, Any] | None) -> dict[str, Any] | None:
    """Teacher-only detail behind the T2 fields: why that label, which evidence per criterion."""
    if not evaluation:
        return None
    cls = evaluation.get("classification") or {}
    rubric = evaluation.get("rubric") or {}
    return {
        "classification": {k: cls.get(k) for k in _CLASSIFICATION_DETAIL_KEYS if k in cls},
        "rubric": [
            {
                "name": c.get("name"),
                "label": c.get("label"),
                "score": c.get("score"),
                "evidence": list(c.get("evidence") or []),
            }
            for c in (rubric.get("criteria") or [])
        ],
        "rubric_overall": {
            "score": rubric.get("overall_score"),
            "label": rubric.get("overall_label"),
            "engine": rubric.get("engine"),
            # Set when the scores follow the teacher's grades: how many, and the scores before.
            "calibration": rubric.get("calibration"),
        },
        "engine_version": evaluation.get("engine_version"),
    }


# --- submissions -----------------------------------------------------------------------------


def file_view(file: StoredFile | None) -> dict[str, Any] | None:
    if file is None:
        return None
    return {
        "fileId": str(file.id),
        "filename": file.filename,
        "content_type": file.content_type,
        "size": file.size,
        "word_count": file.word_count,
    }


def version_view(
    version: SubmissionVersion, audience: Audience, *, future: bool, file: StoredFile | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": version_label(version.number),
        "number": version.number,
        "created_at": iso(version.created_at),
        "evaluation_status": str(version.evaluation_status),
        "text": version.text,
        "prompt_text": version.prompt_text,
        "chat_log": list(version.chat_log or []),
        "file": file_view(file),
        "evaluation": evaluation_view(version.evaluation, audience, future=future),
        "feedback_details": feedback_details(version.evaluation),
    }
    if version.evaluation_status == "failed":
        # The engine's error text may quote internals; staff see it, students a plain sentence.
        out["error"] = (
            version.error
            if audience == Audience.teacher
            else "The evaluation failed; resubmitting runs it again."
        )
    if audience == Audience.teacher:
        out["evaluation_details"] = evaluation_details(version.evaluation)
        out["redacted"] = version.redaction is not None
    return out


def submission_package(
    submission: Submission,
    assignment: Assignment,
    versions: list[SubmissionVersion],
    audience: Audience,
    settings: Settings,
    *,
    files: dict[Any, StoredFile] | None = None,
    student: User | None = None,
) -> dict[str, Any]:
    """GET /api/submissions/{id}: the full package (also the input of the PDF/zip report)."""
    future = future_scoring(assignment, settings)
    files = files or {}
    ordered = sorted(versions, key=lambda v: v.number)
    views = [version_view(v, audience, future=future, file=files.get(v.file_id)) for v in ordered]
    current = views[-1] if views else {}
    package: dict[str, Any] = {
        "submissionId": str(submission.id),
        "assignmentId": str(assignment.id),
        "assignment_title": assignment.title,
        "prompt_id": assignment.prompt_id,
        "student_id": str(submission.student_id),
        "audience": str(audience),
        "version": version_label(submission.current_version),
        "current_version": submission.current_version,
        "future_scoring": future if audience == Audience.teacher else False,
        "created_at": iso(submission.created_at),
        "updated_at": iso(submission.updated_at),
        **{
            k: current.get(k)
            for k in (
                "text",
                "prompt_text",
                "chat_log",
                "file",
                "evaluation_status",
                "evaluation",
                "feedback_details",
            )
        },
        "versions": views,
    }
    if "error" in current:
        package["error"] = current["error"]
    if audience == Audience.teacher:
        package.update(
            {
                "student_email": student.email if student else None,
                "status": str(submission.status),
                "status_note": submission.status_note,
                "status_by": str(submission.status_by) if submission.status_by else None,
                "status_at": iso(submission.status_at),
                "teacher_scores": submission.teacher_scores,
                "teacher_scores_version": submission.teacher_scores_version,
                "evaluation_details": current.get("evaluation_details"),
            }
        )
    return package


def list_item(
    submission: Submission,
    assignment: Assignment,
    version: SubmissionVersion | None,
    audience: Audience,
    settings: Settings,
    student_email: str | None = None,
) -> dict[str, Any]:
    """One row of a submissions list (class view for staff, "my work" for a student)."""
    item: dict[str, Any] = {
        "submissionId": str(submission.id),
        "assignmentId": str(assignment.id),
        "assignment_title": assignment.title,
        "student_id": str(submission.student_id),
        "version": version_label(submission.current_version),
        "evaluation_status": str(version.evaluation_status) if version else None,
        "created_at": iso(submission.created_at),
        "updated_at": iso(submission.updated_at),
    }
    if audience == Audience.teacher:
        evaluation = version.evaluation if version else None
        cls = (evaluation or {}).get("classification") or {}
        item.update(
            {
                "student_email": student_email,
                "status": str(submission.status),
                "label": cls.get("label"),
                "confidence": cls.get("confidence"),
            }
        )
        if future_scoring(assignment, settings):
            item["flagged"] = submission.flagged
    return item


def find_teacher_only(value: Any, path: str = "$") -> list[str]:
    """Paths of teacher-only keys inside a JSON value (used by tests and a debug assertion)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            if key in TEACHER_ONLY_KEYS:
                found.append(f"{path}.{key}")
            found.extend(find_teacher_only(sub, f"{path}.{key}"))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            found.extend(find_teacher_only(sub, f"{path}[{i}]"))
    return found

"""The ONE place that turns stored submissions and evaluations into what a caller may see (§11.6).

* student (the submission's own student) → feedback, the public rubric (compact labels) and
  why a criterion has no level (`rubric_notes`: rubric words, not detector output) only; never
  classification, AI score, similarity, highlights, rubric evidence or review status.
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
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from aaie.config import Settings
from aaie.db.models import (
    Assignment,
    EvaluationStatus,
    Role,
    StoredFile,
    Submission,
    SubmissionVersion,
    User,
)
from aaie.engine.detector_words import not_judged, population_words
from aaie.engine.pipeline import Evaluation
from aaie.engine.rubric.types import Label, RubricResult
from aaie.engine.types import ChatTurn
from aaie.services.assignments import params_of
from aaie.services.views import (
    AIScoreView,
    ClassificationDetails,
    ClassificationView,
    CriterionDetails,
    EvaluationDetails,
    EvaluationView,
    FeedbackDetails,
    FileView,
    RubricOverall,
    SubmissionListItem,
    SubmissionPackage,
    VersionView,
)

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

_CLASSIFICATION_DETAIL_KEYS = set(ClassificationDetails.model_fields)
_AI_SCORE_KEYS = set(AIScoreView.model_fields)


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


def stored_evaluation(version: SubmissionVersion | None) -> Evaluation | None:
    """A version's stored evaluation read back through the engine's own model (None until
    one exists). A stored evaluation that does not fit the model is an error, not a guess."""
    if version is None or not version.evaluation:
        return None
    return Evaluation.model_validate(version.evaluation)


def _compact_rubric(rubric: RubricResult | None) -> dict[str, Label | None]:
    if rubric is None:
        return {}
    if rubric.compact:
        return dict(rubric.compact)
    return {c.name: c.label for c in rubric.criteria}


def evaluation_view(
    evaluation: Evaluation | None, audience: Audience, *, future: bool
) -> EvaluationView | None:
    """The §11.3 `evaluation` object for this audience (None until an evaluation exists)."""
    if evaluation is None:
        return None
    out = EvaluationView(
        rubric=_compact_rubric(evaluation.rubric),
        feedback=evaluation.feedback.text if evaluation.feedback else None,
    )
    if audience == Audience.teacher:
        cls = evaluation.classification
        out.classification = ClassificationView(
            label=cls.label if cls else None, confidence=cls.confidence if cls else None
        )
        if future:
            score = evaluation.ai_score
            out.ai_score = (
                AIScoreView.model_validate(score.model_dump(include=_AI_SCORE_KEYS))
                if score
                else AIScoreView()
            )
            out.similarity = evaluation.similarity
            out.highlights = evaluation.highlights
    return out


def feedback_details(evaluation: Evaluation | None) -> FeedbackDetails | None:
    """Student-facing feedback structure (strengths, next steps quoting the student's text)."""
    feedback = evaluation.feedback if evaluation else None
    if feedback is None:
        return None
    return FeedbackDetails(strengths=list(feedback.strengths), next_steps=list(feedback.next_steps))


def rubric_notes(evaluation: Evaluation | None) -> dict[str, str]:
    """Criterion -> why it has no level, in plain words (every audience: it is about the
    rubric, not about the detector): a custom criterion AAIE cannot see in a text, or too
    little text to score."""
    rubric = evaluation.rubric if evaluation else None
    return {
        c.name: c.reason
        for c in (rubric.criteria if rubric else [])
        if c.label is None and c.reason
    }


def classification_details(evaluation: Evaluation) -> ClassificationDetails:
    """The classifier's detail for staff, with its population and a not-judged reason worded
    for a teacher."""
    cls = evaluation.classification
    if cls is None:
        return ClassificationDetails()
    out = ClassificationDetails.model_validate(cls.model_dump(include=_CLASSIFICATION_DETAIL_KEYS))
    out.fpr_population_words = population_words(cls.fpr_population)
    out.not_judged = not_judged(
        unsupported_language=cls.unsupported_language,
        language=cls.language,
        insufficient_text=cls.insufficient_text,
        word_count=cls.word_count,
    )
    return out


def evaluation_details(evaluation: Evaluation | None) -> EvaluationDetails | None:
    """Teacher-only detail behind the T2 fields: why that label, which evidence per criterion."""
    if evaluation is None:
        return None
    rubric = evaluation.rubric
    return EvaluationDetails(
        classification=classification_details(evaluation),
        rubric=[
            CriterionDetails(
                name=c.name,
                label=c.label,
                score=c.score,
                evidence=list(c.evidence),
                confidence=c.confidence,
                reason=c.reason,
            )
            for c in (rubric.criteria if rubric else [])
        ],
        rubric_overall=RubricOverall(
            score=rubric.overall_score if rubric else None,
            label=rubric.overall_label if rubric else None,
            engine=rubric.engine if rubric else None,
            notes=list(rubric.notes) if rubric else [],
            # Set when the scores follow the teacher's grades: how many, and the scores before.
            calibration=rubric.calibration if rubric else None,
        ),
        engine_version=evaluation.engine_version,
    )


# --- submissions -----------------------------------------------------------------------------


def file_view(file: StoredFile | None) -> FileView | None:
    if file is None:
        return None
    return FileView(
        fileId=file.id,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        word_count=file.word_count,
    )


def version_view(
    version: SubmissionVersion, audience: Audience, *, future: bool, file: StoredFile | None = None
) -> VersionView:
    evaluation = stored_evaluation(version)
    out = VersionView(
        version=version_label(version.number),
        number=version.number,
        created_at=iso(version.created_at),
        evaluation_status=version.evaluation_status,
        text=version.text,
        prompt_text=version.prompt_text,
        chat_log=[ChatTurn.model_validate(t) for t in version.chat_log or []],
        file=file_view(file),
        evaluation=evaluation_view(evaluation, audience, future=future),
        feedback_details=feedback_details(evaluation),
        rubric_notes=rubric_notes(evaluation),
    )
    if version.evaluation_status == EvaluationStatus.failed:
        # The engine's error text may quote internals; staff see it, students a plain sentence.
        out.error = (
            version.error
            if audience == Audience.teacher
            else "The evaluation failed; resubmitting runs it again."
        )
    if audience == Audience.teacher:
        out.evaluation_details = evaluation_details(evaluation)
        out.redacted = version.redaction is not None
    return out


def submission_package(
    submission: Submission,
    assignment: Assignment,
    versions: list[SubmissionVersion],
    audience: Audience,
    settings: Settings,
    *,
    files: dict[uuid.UUID, StoredFile] | None = None,
    student: User | None = None,
) -> SubmissionPackage:
    """GET /api/submissions/{submissionId}: the full package (also the input of the PDF/zip
    report)."""
    future = future_scoring(assignment, settings)
    files = files or {}
    ordered = sorted(versions, key=lambda v: v.number)
    views = [
        version_view(v, audience, future=future, file=files.get(v.file_id) if v.file_id else None)
        for v in ordered
    ]
    current = views[-1] if views else None
    package = SubmissionPackage(
        submissionId=submission.id,
        assignmentId=assignment.id,
        assignment_title=assignment.title,
        prompt_id=assignment.prompt_id,
        student_id=submission.student_id,
        audience=audience.value,
        version=version_label(submission.current_version),
        current_version=submission.current_version,
        future_scoring=future if audience == Audience.teacher else False,
        created_at=iso(submission.created_at),
        updated_at=iso(submission.updated_at),
        text=current.text if current else None,
        prompt_text=current.prompt_text if current else None,
        chat_log=current.chat_log if current else None,
        file=current.file if current else None,
        evaluation_status=current.evaluation_status if current else None,
        evaluation=current.evaluation if current else None,
        feedback_details=current.feedback_details if current else None,
        rubric_notes=current.rubric_notes if current else {},
        versions=views,
    )
    if current is not None and "error" in current.model_fields_set:
        package.error = current.error
    if audience == Audience.teacher:
        package.student_email = student.email if student else None
        package.status = str(submission.status)
        package.status_note = submission.status_note
        package.status_by = submission.status_by
        package.status_at = iso(submission.status_at)
        package.teacher_scores = submission.teacher_scores
        package.teacher_scores_version = submission.teacher_scores_version
        package.evaluation_details = current.evaluation_details if current else None
    return package


def list_item(
    submission: Submission,
    assignment: Assignment,
    version: SubmissionVersion | None,
    audience: Audience,
    settings: Settings,
    student_email: str | None = None,
) -> SubmissionListItem:
    """One row of a submissions list (class view for staff, "my work" for a student)."""
    item = SubmissionListItem(
        submissionId=submission.id,
        assignmentId=assignment.id,
        assignment_title=assignment.title,
        student_id=submission.student_id,
        version=version_label(submission.current_version),
        evaluation_status=version.evaluation_status if version else None,
        created_at=iso(submission.created_at),
        updated_at=iso(submission.updated_at),
    )
    if audience == Audience.teacher:
        evaluation = stored_evaluation(version)
        cls = evaluation.classification if evaluation else None
        item.student_email = student_email
        item.status = str(submission.status)
        item.label = cls.label if cls else None
        item.confidence = cls.confidence if cls else None
        if future_scoring(assignment, settings):
            item.flagged = submission.flagged
    return item


def body(view: BaseModel) -> dict[str, Any]:
    """A view as the JSON the caller receives: unset (audience-withheld) fields left out."""
    return view.model_dump(mode="json", exclude_unset=True)


def find_teacher_only(value: Any, path: str = "$") -> list[str]:
    """Paths of teacher-only keys inside a JSON value (the privacy tests assert none reaches a
    student on any route, list or report)."""
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

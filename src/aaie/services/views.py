"""The bodies `services.visibility` builds: what a caller may see of a submission, typed.

Fields that only some audiences receive are optional and left *unset* for the others: the
routes serialise with `response_model_exclude_unset=True` (the reports with
`exclude_unset=True`), so a student's body has no teacher-only key at all, not a null one.
Timestamps are ISO 8601 strings in UTC, as `visibility.iso` writes them.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from aaie.db.models import EvaluationStatus
from aaie.engine.feedback.types import NextStep
from aaie.engine.highlights import Highlights
from aaie.engine.rubric.types import AppliedCalibration, Label
from aaie.engine.similarity import Similarity
from aaie.engine.types import ChatTurn

ClassLabel = Literal["Human", "AI", "Hybrid"]


_HELD_OUT = (
    "share of the population's human texts labelled AI or Hybrid when their whole source was "
    "left out of training: what to expect of writing from a new source"
)


class ClassificationView(BaseModel):
    label: ClassLabel | None = None
    confidence: float | None = None


class AIScoreView(BaseModel):
    """The AI score behind the label (teachers, future_scoring on)."""

    ai_score: float | None = Field(None, description="0-100")
    threshold: float | None = None
    fpr_at_threshold: float | None = None
    fpr_at_score: float | None = Field(
        None, description="share of human essays in validation that scored this high or higher"
    )
    fpr_held_out: float | None = Field(None, description=_HELD_OUT)
    insufficient_text: bool | None = None
    label_at_threshold: bool | None = None


class EvaluationView(BaseModel):
    """§11.3 `evaluation`. Students get `rubric` and `feedback` only; teachers also
    `classification`, and with future_scoring `ai_score`, `similarity` and `highlights`."""

    classification: ClassificationView | None = None
    rubric: dict[str, Label | None] = Field(description="criterion → band label")
    feedback: str | None = None
    ai_score: AIScoreView | None = None
    similarity: Similarity | None = None
    highlights: Highlights | None = None


class FeedbackDetails(BaseModel):
    """The student-facing feedback's structure: strengths, and next steps quoting the essay."""

    strengths: list[str]
    next_steps: list[NextStep]


class ClassificationDetails(BaseModel):
    label: ClassLabel | None = None
    confidence: float | None = None
    ai_fraction: float | None = None
    threshold: float | None = None
    fpr_at_threshold: float | None = None
    fpr_at_score: float | None = Field(
        None, description="share of human essays in validation that scored this high or higher"
    )
    # The human population (writer group x genre) the FPR was measured on (detector-8), and
    # the same in a teacher's words ("human academic and technical texts ...").
    fpr_population: str | None = None
    fpr_population_words: str | None = None
    fpr_held_out: float | None = Field(None, description=_HELD_OUT)
    not_judged: str | None = Field(
        None,
        description="set when the detector did not judge the text (another language, too "
        "little text): why, in plain words; the label is then not a verdict",
    )
    insufficient_text: bool | None = None
    # Not English: not judged by the statistics (the UI shows "language not supported").
    unsupported_language: bool | None = None
    language: str | None = None
    reasons: list[str] | None = None


class CriterionDetails(BaseModel):
    name: str
    label: Label | None
    score: float | None
    evidence: list[str]
    # How sure the scorer is, and why a criterion has no band (#20: never silently blank).
    confidence: float | None = None
    reason: str | None = None


class RubricOverall(BaseModel):
    score: float | None
    label: Label | None
    engine: str | None
    notes: list[str] = Field(
        default_factory=list,
        description="plain-word notes: no prompt, not enough text, an overall that differs "
        "from the criteria and why",
    )
    calibration: AppliedCalibration | None = Field(
        description="set when the scores follow the teacher's grades: how many, and the "
        "built-in scores before"
    )


class EvaluationDetails(BaseModel):
    """Teacher-only detail behind the T2 fields: why that label, which evidence per criterion."""

    classification: ClassificationDetails
    rubric: list[CriterionDetails]
    rubric_overall: RubricOverall
    engine_version: str | None


class FileView(BaseModel):
    fileId: uuid.UUID
    filename: str
    content_type: str
    size: int
    word_count: int


class VersionView(BaseModel):
    """One version with its own text and evaluation."""

    submissionId: uuid.UUID | None = Field(None, description="GET .../versions/{version} only")
    version: str = Field(examples=["v1"])
    number: int
    created_at: str | None
    evaluation_status: EvaluationStatus
    text: str
    prompt_text: str | None
    chat_log: list[ChatTurn]
    file: FileView | None
    evaluation: EvaluationView | None
    feedback_details: FeedbackDetails | None
    rubric_notes: dict[str, str] = Field(
        default_factory=dict,
        description="criterion -> why it has no level, in plain words (criteria without one)",
    )
    error: str | None = Field(None, description="failed evaluations only")
    evaluation_details: EvaluationDetails | None = Field(None, description="teachers only")
    redacted: bool | None = Field(None, description="teachers only")


class SubmissionPackage(BaseModel):
    """GET /api/submissions/{submissionId}: the full package (also the report's input)."""

    submissionId: uuid.UUID
    assignmentId: uuid.UUID
    assignment_title: str
    prompt_id: str | None
    student_id: uuid.UUID
    audience: Literal["student", "teacher"]
    version: str = Field(examples=["v2"])
    current_version: int
    future_scoring: bool
    created_at: str | None
    updated_at: str | None
    text: str | None
    prompt_text: str | None
    chat_log: list[ChatTurn] | None
    file: FileView | None
    evaluation_status: EvaluationStatus | None
    evaluation: EvaluationView | None
    feedback_details: FeedbackDetails | None
    rubric_notes: dict[str, str] = Field(
        default_factory=dict,
        description="criterion -> why it has no level, in plain words (criteria without one)",
    )
    versions: list[VersionView]
    error: str | None = Field(None, description="when the current evaluation failed")
    # Teachers (of the assignment) and admins only:
    student_email: str | None = None
    status: str | None = None
    status_note: str | None = None
    status_by: uuid.UUID | None = None
    status_at: str | None = None
    teacher_scores: dict[str, float] | None = None
    teacher_scores_version: int | None = None
    evaluation_details: EvaluationDetails | None = None


class SubmissionListItem(BaseModel):
    """One row of a submissions list (class view for staff, "my work" for a student)."""

    submissionId: uuid.UUID
    assignmentId: uuid.UUID
    assignment_title: str
    student_id: uuid.UUID
    version: str
    evaluation_status: EvaluationStatus | None
    created_at: str | None
    updated_at: str | None
    # Teachers and admins only:
    student_email: str | None = None
    status: str | None = None
    label: ClassLabel | None = None
    confidence: float | None = None
    flagged: bool | None = Field(None, description="with future_scoring only")

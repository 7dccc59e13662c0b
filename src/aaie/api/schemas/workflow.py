"""Request and response bodies of assignments, submissions and the audit log (§11.3).

Identifiers the seed names in camelCase (`assignmentId`, `submissionId`, `fileId`) keep that
spelling; every other field is snake_case as in the seed's request bodies.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aaie.engine.types import ChatTurn
from aaie.services.assignments import AssignmentParams
from aaie.services.submissions import SubmissionInput
from aaie.services.views import SubmissionListItem

# The submit reply is the use case's own model; re-exported for the routes.
from aaie.workflows.submissions import SubmitResponse as SubmitResponse


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # a due date without a zone is read as UTC
    return value


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    prompt_id: str | None = Field(None, max_length=64, examples=["P001"])
    prompt_text: str | None = Field(None, max_length=20_000)
    due_at: datetime | None = Field(None, description="ISO 8601; without a zone it is UTC")
    params: AssignmentParams = Field(default_factory=AssignmentParams)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("title must not be blank")
        return value

    @field_validator("due_at")
    @classmethod
    def _due(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class AssignmentUpdate(AssignmentCreate):
    """PUT: the fields sent replace the stored ones; fields left out stay unchanged."""

    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    params: AssignmentParams | None = None  # type: ignore[assignment]


class RubricCheck(BaseModel):
    """How the built-in scorer will score one criterion of the assignment's custom rubric."""

    name: str
    scorable: bool
    how: str = Field(description="in plain words: the built-in criteria it is scored from, or "
                     "why the built-in scorer cannot score it")  # fmt: skip
    scored_from: dict[str, float] = Field(
        default_factory=dict,
        description="built-in criterion -> its weight in the blend the criterion is scored "
        "as (empty when it cannot be scored)",
    )
    detail: str | None = Field(
        None, description="the measurement behind a 'cannot score' verdict (MiniLM similarities)"
    )


class CriterionText(BaseModel):
    """A criterion as the rubric states it: what students are told they are assessed on."""

    name: str
    description: str | None = Field(None, description="custom criteria: the teacher's words")
    bands: dict[str, str] | None = Field(
        None, description="custom criteria: what each level (Excellent ... Poor) means"
    )


class AssignmentCreated(BaseModel):
    assignmentId: uuid.UUID
    # A custom rubric only: said when it is saved, so a teacher knows at once which criteria
    # the built-in scorer will score and how (or why not).
    rubric_check: list[RubricCheck] | None = None


class AssignmentOut(BaseModel):
    assignmentId: uuid.UUID
    title: str
    prompt_id: str | None
    prompt_text: str | None
    due_at: datetime | None
    is_open: bool
    rubric_criteria: list[str] = Field(description="the criteria the work is scored on")
    rubric_text: list[CriterionText] = Field(
        default_factory=list,
        description="every criterion with its description and band descriptors, as students "
        "read them (built-in criteria: the name only)",
    )
    created_at: datetime
    updated_at: datetime
    # Staff only (absent for students): who owns it and its evaluation settings.
    owner_id: uuid.UUID | None = None
    params: AssignmentParams | None = None
    submission_count: int | None = None
    rubric_check: list[RubricCheck] | None = None  # custom rubrics: see AssignmentCreated
    # Student only: their submission to it, if any.
    submissionId: uuid.UUID | None = None


class AssignmentPage(BaseModel):
    items: list[AssignmentOut]
    total: int
    limit: int
    offset: int


class SubmitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: uuid.UUID | None = Field(
        None,
        description="required when a teacher/admin submits for a student; a student "
        "may leave it out or send their own id",
    )
    text: str | None = Field(None, description="the essay (exactly one of text / file_ref)")
    file_ref: uuid.UUID | None = Field(None, description="a fileId from POST /api/files")
    prompt_text: str | None = Field(
        None, max_length=20_000, description="defaults to the assignment's prompt"
    )
    chat_log: list[ChatTurn] | None = Field(
        None, max_length=500, description='[{"role": "user"|"ai", "text": "..."}]'
    )

    @model_validator(mode="after")
    def _one_source(self) -> SubmitRequest:
        if (self.text is None) == (self.file_ref is None):
            raise ValueError("send exactly one of text or file_ref")
        if self.text is not None and not self.text.strip():
            raise ValueError("text must not be blank")
        return self

    def as_input(self) -> SubmissionInput:
        """The body as the submissions service takes it."""
        chat = [t.model_dump() for t in self.chat_log] if self.chat_log is not None else None
        return SubmissionInput(
            text=self.text,
            file_ref=self.file_ref,
            prompt_text=self.prompt_text,
            chat_log=chat,
            student_id=self.student_id,
        )


class StatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["reviewed", "needs_follow_up", "archived"]
    note: str | None = Field(None, max_length=2000)


class StatusOut(BaseModel):
    submissionId: uuid.UUID
    status: str
    status_note: str | None
    status_by: uuid.UUID | None
    status_at: datetime | None


class TeacherScoresIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: dict[str, float | Literal["Excellent", "Good", "Fair", "Poor"]] = Field(
        min_length=1,
        max_length=13,
        description="the teacher's grade per criterion of the assignment's rubric and/or "
        '"overall": a number from 0 to 1 or a band label',
        examples=[{"Structure": "Good", "Clarity": 0.4, "overall": 0.55}],
    )


class TeacherScoresOut(BaseModel):
    submissionId: uuid.UUID
    teacher_scores: dict[str, float] | None
    teacher_scores_version: int | None = Field(description="the version the grades are for")
    teacher_scores_by: uuid.UUID | None
    teacher_scores_at: datetime | None


class CriterionCalibration(BaseModel):
    name: str
    graded: int
    active: bool
    slope: float | None
    intercept: float | None
    mean_gap_before: float | None
    mean_gap_after: float | None


class CalibrationOut(BaseModel):
    assignmentId: uuid.UUID
    enabled: bool
    min_graded: int
    graded_essays: int
    criteria: list[CriterionCalibration]


class Page(BaseModel):
    items: list[SubmissionListItem]
    total: int
    limit: int
    offset: int


class AuditOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_email: str | None
    action: str
    resource_type: str
    resource_id: str | None
    request_id: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditOut]
    total: int
    limit: int
    offset: int

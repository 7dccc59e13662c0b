"""Bodies of the roster routes: enrol students, the class table, a teacher's students."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class RosterStudentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    name: str | None = Field(None, max_length=200)


class EnrolRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    students: list[RosterStudentIn] = Field(min_length=1, max_length=2000)


class EnrolledStudent(BaseModel):
    student_id: uuid.UUID
    email: str
    name: str | None = None
    created: bool = Field(description="the account was created by this request")


class CreatedAccount(BaseModel):
    student_id: uuid.UUID
    email: str
    temporary_password: str = Field(
        description="shown once: hand it to the student, who signs in with it"
    )


class RosterError(BaseModel):
    row: int | None = Field(None, description="the CSV line (1 = the first line)")
    email: str | None = None
    message: str


class EnrolResponse(BaseModel):
    enrolled: list[EnrolledStudent] = Field(description="added to the roster now")
    already: list[EnrolledStudent] = Field(description="already on the roster (name updated)")
    created: list[CreatedAccount] = Field(description="new student accounts")
    errors: list[RosterError] = Field(description="rows that were not enrolled, and why")


class SubmissionSummary(BaseModel):
    submissionId: uuid.UUID
    version: str
    status: str
    evaluation_status: str | None = None
    submitted_at: datetime | None = None
    label: str | None = Field(None, description="Human | AI | Hybrid")
    confidence: float | None = None
    ai_score: float | None = Field(None, description="0-100; with future_scoring only")
    similarity_pct: float | None = Field(None, description="with future_scoring only")
    flagged: bool | None = Field(None, description="similarity flag; with future_scoring only")
    rubric: dict[str, str | None] = Field(default_factory=dict)
    rubric_notes: dict[str, str] = Field(
        default_factory=dict, description="criterion -> why it has no level, in plain words"
    )
    not_judged: str | None = Field(
        None, description="why the detector did not judge the text; the label is no verdict"
    )


class RosterRow(BaseModel):
    student_id: uuid.UUID
    email: str | None = None
    name: str | None = None
    enrolled: bool = Field(description="false: submitted without being on the roster")
    enrolled_at: datetime | None = None
    submission: SubmissionSummary | None = Field(None, description="null: not yet submitted")


class RosterOut(BaseModel):
    assignmentId: uuid.UUID
    future_scoring: bool
    items: list[RosterRow]
    total: int


class StudentOut(BaseModel):
    student_id: uuid.UUID
    email: str
    name: str | None = None
    is_active: bool
    assignment_ids: list[uuid.UUID] = Field(description="the caller's assignments they are on")
    can_reset_password: bool = Field(
        default=False,
        description="the caller may reset this student's password (an admin; the teacher who "
        "created the account by enrolling them): POST /api/users/{userId}/password-reset",
    )


class StudentList(BaseModel):
    items: list[StudentOut]
    total: int

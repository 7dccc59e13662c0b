"""Assignments: create, list, read, update, delete, with the ownership rules in one place.

Who sees what: a teacher their own assignments, an admin all of them, a student those *open to
them* — not past due (no due date = always open) and, once the assignment has a roster, with the
student on it — plus any they have already submitted to, so their own work never disappears
from view. Anything else is reported as absent (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from aaie.db.base import utcnow
from aaie.db.models import Assignment, Enrolment, Role, Submission, User
from aaie.engine.rubric.types import BASE_CRITERIA, RubricSpec, parse_rubric
from aaie.errors import NotFound

BUILTIN_RUBRIC = "t2"


class AssignmentParams(BaseModel):
    """Evaluation settings of an assignment (all optional; unknown keys are rejected)."""

    model_config = ConfigDict(extra="forbid")

    rubric: str | dict[str, Any] | list[dict[str, Any]] | None = Field(
        None,
        description='"t2" (the built-in Structure/Clarity/Relevance/AcademicWriting '
        'rubric, the default) or a custom rubric {"criteria": [{name, '
        "description?, bands?}]}",
    )
    mode: Literal["sync", "async"] = Field(
        "sync", description="sync: submit answers 200 with the evaluation; async: 202 + poll"
    )
    similarity_flag_pct: float | None = Field(
        None,
        ge=0,
        le=100,
        description="flag at or above this similarity %; default from AAIE_SIMILARITY_FLAG_PCT",
    )
    future_scoring: bool | None = Field(
        None,
        description="teachers also see AI score, similarity and highlights; default "
        "from AAIE_FUTURE_SCORING",
    )
    calibrate_rubric: bool | None = Field(
        None,
        description="move built-in rubric scores onto the teacher's own grades once five "
        "essays are graded (PUT /api/submissions/{id}/teacher-scores); default true",
    )

    @field_validator("rubric")
    @classmethod
    def _known_rubric(cls, value: object) -> object:
        if value is None:
            return None
        if isinstance(value, str):
            if value.strip().lower() not in (BUILTIN_RUBRIC, "default"):
                raise ValueError('rubric must be "t2" or a custom rubric object')
            return BUILTIN_RUBRIC
        spec = parse_rubric(value)  # type: ignore[arg-type]
        return spec.model_dump(mode="json", exclude_none=True) if spec else None

    def rubric_spec(self) -> RubricSpec | None:
        """The custom rubric to score with, or None for the built-in one."""
        return parse_rubric(self.rubric) if isinstance(self.rubric, dict | list) else None


def params_of(assignment: Assignment) -> AssignmentParams:
    """An assignment's evaluation settings, typed (they were validated when written)."""
    return AssignmentParams.model_validate(assignment.params or {})


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; every stored datetime is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def is_open(assignment: Assignment, now: datetime | None = None) -> bool:
    due = aware(assignment.due_at)
    return due is None or due > (now or utcnow())


def rubric_check(assignment: Assignment) -> list[dict[str, Any]] | None:
    """For a custom rubric: per criterion whether and how the built-in scorer scores it."""
    spec = params_of(assignment).rubric_spec()
    if spec is None:
        return None
    from aaie.engine.rubric import rubric_check as check

    return check(spec)


def criteria_text(assignment: Assignment) -> list[dict[str, Any]]:
    """Every criterion as the rubric states it (name, description, band descriptors): rubric
    text that every reader of the assignment, students included, may see."""
    spec = params_of(assignment).rubric_spec()
    if spec is None:
        return [{"name": b} for b in BASE_CRITERIA]
    return [
        {"name": c.name, "description": c.description or None, "bands": c.bands or None}
        for c in spec.criteria
    ]


def criteria_names(assignment: Assignment) -> list[str]:
    """The criteria an assignment is scored on: its custom rubric's, else the built-in four."""
    spec = params_of(assignment).rubric_spec()
    return [c.name for c in spec.criteria] if spec else list(BASE_CRITERIA)


def create(
    session: Session,
    owner: User,
    *,
    title: str,
    prompt_id: str | None,
    prompt_text: str | None,
    due_at: datetime | None,
    params: AssignmentParams,
) -> Assignment:
    assignment = Assignment(
        owner_id=owner.id,
        title=title,
        prompt_id=prompt_id,
        prompt_text=prompt_text,
        due_at=due_at,
        params=params.model_dump(mode="json", exclude_none=True),
    )
    session.add(assignment)
    session.flush()
    return assignment


def _visible_to(user: User) -> Select[Assignment]:
    query = select(Assignment)
    if user.role == Role.admin:
        return query
    if user.role == Role.teacher:
        return query.where(Assignment.owner_id == user.id)
    mine = select(Submission.assignment_id).where(Submission.student_id == user.id)
    # An assignment with a roster is for the students on it; one without is open to all.
    on_roster = select(Enrolment.assignment_id).where(Enrolment.student_id == user.id)
    has_roster = select(Enrolment.assignment_id)
    open_ = or_(Assignment.due_at.is_(None), Assignment.due_at > utcnow())
    for_me = or_(Assignment.id.in_(on_roster), Assignment.id.not_in(has_roster))
    return query.where(or_(and_(open_, for_me), Assignment.id.in_(mine)))


def list_for(
    session: Session, user: User, offset: int, limit: int
) -> tuple[Sequence[Assignment], int]:
    query = _visible_to(user)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Assignment.created_at.desc(), Assignment.id).offset(offset).limit(limit)
    ).all()
    return rows, total


def get_visible(session: Session, user: User, assignment_id: uuid.UUID) -> Assignment:
    """The assignment if `user` may see it, else NotFound (its existence is not revealed)."""
    assignment = session.scalar(_visible_to(user).where(Assignment.id == assignment_id))
    if assignment is None:
        raise NotFound("No such assignment.")
    return assignment


def get_managed(session: Session, user: User, assignment_id: uuid.UUID) -> Assignment:
    """For changes: the owner or an admin; anyone else gets 404."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or not manages(user, assignment):
        raise NotFound("No such assignment.")
    return assignment


def manages(user: User, assignment: Assignment) -> bool:
    return user.role == Role.admin or (user.role == Role.teacher and assignment.owner_id == user.id)


def update(session: Session, assignment: Assignment, changes: dict[str, Any]) -> Assignment:
    """Apply the fields the caller sent (absent fields stay as they are)."""
    for key, value in changes.items():
        if key == "params":
            value = AssignmentParams.model_validate(value).model_dump(
                mode="json", exclude_none=True
            )
        setattr(assignment, key, value)
    session.flush()
    return assignment

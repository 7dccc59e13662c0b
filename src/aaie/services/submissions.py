"""Submissions: read, list, store a new version (submit / resubmit / re-evaluate), review status.

This module stores; it does not run anything. The use case around it, from the route to the
stored evaluation, is `aaie.workflows.submissions` (commit, run or queue the job, reply), and
the job body is `aaie.workflows.evaluation`. Deleting lives in `services.deletion`.
One submission per (assignment, student); every resubmit adds a version and keeps the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.base import utcnow
from aaie.db.models import (
    Assignment,
    EvaluationStatus,
    ReviewStatus,
    Role,
    StoredFile,
    Submission,
    SubmissionVersion,
    User,
)
from aaie.engine.redaction import redact
from aaie.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from aaie.services import assignments as assignment_service
from aaie.services import files as file_service
from aaie.services import visibility
from aaie.services.engine import check_size
from aaie.services.views import SubmissionListItem, SubmissionPackage
from aaie.services.visibility import Audience
from aaie.storage import FileNotInStore, make_file_store

log = structlog.get_logger("aaie.submissions")
_NOT_FOUND = "No such submission."


@dataclass(frozen=True)
class SubmissionInput:
    """A validated submit/resubmit body (shape checks are done by the API schema)."""

    text: str | None
    file_ref: uuid.UUID | None
    prompt_text: str | None = None
    chat_log: list[dict[str, str]] | None = None
    student_id: uuid.UUID | None = None


@dataclass
class Visible:
    submission: Submission
    assignment: Assignment
    audience: Audience


# --- reading -----------------------------------------------------------------------------------


def get_visible(session: Session, user: User, submission_id: uuid.UUID) -> Visible:
    """The submission and how `user` sees it; 404 when they may not see it at all."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(_NOT_FOUND)
    assignment = session.get(Assignment, submission.assignment_id)
    audience = visibility.audience_for(user, assignment, submission) if assignment else None
    if assignment is None or audience is None:
        raise NotFound(_NOT_FOUND)
    return Visible(submission, assignment, audience)


def get_staff_visible(session: Session, user: User, submission_id: uuid.UUID) -> Visible:
    """For teacher-only actions (routes already refuse students with 403)."""
    found = get_visible(session, user, submission_id)
    if found.audience != Audience.teacher:
        raise NotFound(_NOT_FOUND)
    return found


def versions_of(session: Session, submission_id: uuid.UUID) -> list[SubmissionVersion]:
    return list(
        session.scalars(
            select(SubmissionVersion)
            .where(SubmissionVersion.submission_id == submission_id)
            .order_by(SubmissionVersion.number)
        )
    )


def current_version(session: Session, submission: Submission) -> SubmissionVersion:
    version = session.scalar(
        select(SubmissionVersion).where(
            SubmissionVersion.submission_id == submission.id,
            SubmissionVersion.number == submission.current_version,
        )
    )
    if version is None:  # pragma: no cover - guarded by the write path
        raise NotFound(_NOT_FOUND)
    return version


def package(session: Session, settings: Settings, found: Visible) -> SubmissionPackage:
    """The visibility-filtered full package (API body and report input)."""
    versions = versions_of(session, found.submission.id)
    file_ids = {v.file_id for v in versions if v.file_id}
    files = (
        {f.id: f for f in session.scalars(select(StoredFile).where(StoredFile.id.in_(file_ids)))}
        if file_ids
        else {}
    )
    student = session.get(User, found.submission.student_id)
    return visibility.submission_package(
        found.submission,
        found.assignment,
        versions,
        found.audience,
        settings,
        files=files,
        student=student,
    )


def original_files(
    session: Session, settings: Settings, submission: Submission
) -> list[tuple[str, bytes]]:
    """(filename, bytes) of every uploaded original of every version, for the zip report."""
    store = make_file_store(settings)
    out: list[tuple[str, bytes]] = []
    for version in versions_of(session, submission.id):
        stored = session.get(StoredFile, version.file_id) if version.file_id else None
        if stored is None:
            continue
        try:
            data = store.get(stored.storage_key)
        except FileNotInStore:
            log.warning("original_missing", file_id=str(stored.id))
            continue
        out.append((f"v{version.number}-{file_service.safe_filename(stored.filename)}", data))
    return out


@dataclass
class Filters:
    status: ReviewStatus | None = None
    label: str | None = None
    flagged: bool | None = None
    assignment_id: uuid.UUID | None = None


def _filtered(query: Select[Submission], filters: Filters) -> Select[Submission]:
    if filters.assignment_id is not None:
        query = query.where(Submission.assignment_id == filters.assignment_id)
    if filters.status is not None:
        query = query.where(Submission.status == filters.status)
    if filters.label is not None:
        query = query.where(Submission.label == filters.label)
    if filters.flagged is not None:
        query = query.where(Submission.flagged.is_(filters.flagged))
    return query


def list_page(
    session: Session, settings: Settings, user: User, filters: Filters, offset: int, limit: int
) -> tuple[list[SubmissionListItem], int]:
    """Submissions `user` may see (student: own; teacher: to their assignments; admin: all),
    newest first, as visibility-filtered list items."""
    query = select(Submission).join(Assignment, Assignment.id == Submission.assignment_id)
    if user.role == Role.student:
        if filters.status or filters.label or filters.flagged is not None:
            raise Forbidden("Students may not filter by review status, label or flag.")
        query = query.where(Submission.student_id == user.id)
    elif user.role == Role.teacher:
        query = query.where(Assignment.owner_id == user.id)
    query = _filtered(query, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Submission.updated_at.desc(), Submission.id).offset(offset).limit(limit)
    ).all()
    return _items(session, settings, user, rows), total


def _items(
    session: Session, settings: Settings, user: User, rows: Sequence[Submission]
) -> list[SubmissionListItem]:
    if not rows:
        return []
    ids = [s.id for s in rows]
    versions = {
        (v.submission_id, v.number): v
        for v in session.scalars(
            select(SubmissionVersion).where(SubmissionVersion.submission_id.in_(ids))
        )
    }
    assignments = {
        a.id: a
        for a in session.scalars(
            select(Assignment).where(Assignment.id.in_({s.assignment_id for s in rows}))
        )
    }
    emails = dict(
        session.execute(
            select(User.id, User.email).where(User.id.in_({s.student_id for s in rows}))
        )
        .tuples()
        .all()
    )
    items = []
    for sub in rows:
        assignment = assignments[sub.assignment_id]
        audience = visibility.audience_for(user, assignment, sub) or Audience.student
        items.append(
            visibility.list_item(
                sub,
                assignment,
                versions.get((sub.id, sub.current_version)),
                audience,
                settings,
                student_email=emails.get(sub.student_id),
            )
        )
    return items


# --- writing -----------------------------------------------------------------------------------


def _resolve_student(session: Session, user: User, student_id: uuid.UUID | None) -> User:
    if user.role == Role.student:
        if student_id is not None and student_id != user.id:
            raise Forbidden("Students submit their own work only.")
        return user
    if student_id is None:
        raise ValidationFailed(
            "student_id is required when a teacher or admin submits.",
            details=[{"loc": ["body", "student_id"], "msg": "required"}],
        )
    student = session.get(User, student_id)
    if student is None or student.role != Role.student or not student.is_active:
        raise ValidationFailed(
            "student_id is not an active student.",
            details=[{"loc": ["body", "student_id"], "msg": "not a student"}],
        )
    return student


def _resolve_text(
    session: Session, settings: Settings, user: User, data: SubmissionInput
) -> tuple[str, uuid.UUID | None]:
    if data.file_ref is not None:
        stored = file_service.get_readable(session, data.file_ref, user)  # 404 if not readable
        text = stored.extracted_text or ""
        if not text.strip():
            raise ValidationFailed("The file has no text to evaluate.")
        check_size(len(text), settings)
        return text, stored.id
    text = data.text or ""
    check_size(len(text), settings)
    return text, None


def _new_version(
    session: Session,
    settings: Settings,
    user: User,
    submission: Submission,
    assignment: Assignment,
    number: int,
    data: SubmissionInput,
) -> SubmissionVersion:
    text, file_id = _resolve_text(session, settings, user, data)
    chat_log = list(data.chat_log or [])
    chat_chars = sum(len(t.get("text", "")) for t in chat_log)
    if chat_chars > settings.max_text_chars * 2:
        raise PayloadTooLarge(
            "The chat log is too long.",
            details={"chars": chat_chars, "limit": settings.max_text_chars * 2},
        )
    redaction = None
    if settings.redact_stored:
        text, chat_log, redaction = _redacted(text, chat_log)
    prompt = (
        data.prompt_text
        if data.prompt_text and data.prompt_text.strip()
        else assignment.prompt_text
    )
    version = SubmissionVersion(
        submission_id=submission.id,
        number=number,
        submitted_by=user.id,
        text=text,
        file_id=file_id,
        prompt_text=prompt,
        chat_log=chat_log,
        redaction=redaction,
        evaluation_status=EvaluationStatus.queued,
        evaluation_requested_at=utcnow(),
    )
    session.add(version)
    return version


def _redacted(
    text: str, chat_log: list[dict[str, str]]
) -> tuple[str, list[dict[str, str]], dict[str, Any]]:
    """Redacted text and chat log, plus entity types and offsets (never the values)."""
    result = redact(text, chat_log)
    entities = [
        {
            "type": e.type,
            "start": e.start,
            "end": e.end,
            "turn": e.turn,
            "placeholder": e.placeholder,
            "redacted_start": e.redacted_start,
            "redacted_end": e.redacted_end,
        }
        for e in result.entities
    ]
    return (
        result.redacted_text,
        [t.model_dump() for t in result.chat_log],
        {"entities": entities, "counts": result.counts},
    )


def submit(
    session: Session,
    settings: Settings,
    user: User,
    assignment_id: uuid.UUID,
    data: SubmissionInput,
) -> tuple[Submission, SubmissionVersion, Assignment]:
    """First submission of a student to an assignment (409 if they already have one)."""
    assignment = assignment_service.get_visible(session, user, assignment_id)
    student = _resolve_student(session, user, data.student_id)
    if user.role == Role.student and not assignment_service.is_open(assignment):
        raise Conflict("The due date of this assignment has passed.")
    existing = session.scalar(
        select(Submission.id).where(
            Submission.assignment_id == assignment.id, Submission.student_id == student.id
        )
    )
    if existing is not None:
        raise Conflict(
            "This student already has a submission to this assignment; resubmit it.",
            details={"submissionId": str(existing)},
        )
    submission = Submission(
        assignment_id=assignment.id, student_id=student.id, submitted_by=user.id, current_version=1
    )
    session.add(submission)
    session.flush()
    version = _new_version(session, settings, user, submission, assignment, 1, data)
    _flush_or_conflict(session)
    return submission, version, assignment


def resubmit(
    session: Session,
    settings: Settings,
    user: User,
    submission_id: uuid.UUID,
    data: SubmissionInput,
) -> tuple[Submission, SubmissionVersion, Assignment]:
    """A new version of the same submission; earlier versions stay as they are."""
    found = get_visible(session, user, submission_id)
    submission, assignment = found.submission, found.assignment
    if user.role == Role.student:
        _resolve_student(session, user, data.student_id)
        if not assignment_service.is_open(assignment):
            raise Conflict("The due date of this assignment has passed.")
    elif data.student_id is not None and data.student_id != submission.student_id:
        raise ValidationFailed("student_id does not match this submission's student.")
    # Lock the row (PostgreSQL) so two concurrent resubmits cannot take the same number.
    session.refresh(submission, with_for_update=True)
    number = submission.current_version + 1
    version = _new_version(session, settings, user, submission, assignment, number, data)
    submission.current_version = number
    # A new version has not been looked at: it goes back to the teacher's queue, unflagged
    # and unlabelled until its own evaluation is done.
    submission.status, submission.label, submission.flagged = ReviewStatus.submitted, None, None
    submission.updated_at = utcnow()
    _flush_or_conflict(session)
    return submission, version, assignment


def reevaluate(
    session: Session, settings: Settings, user: User, submission_id: uuid.UUID
) -> tuple[Submission, SubmissionVersion, Assignment]:
    """Queue the current version for evaluation again (after a failure, an engine upgrade or a
    rubric change). Its stored evaluation stays until the new one replaces it. Refused while an
    evaluation is under way, unless it was asked for so long ago that its job must have died."""
    found = get_staff_visible(session, user, submission_id)
    version = current_version(session, found.submission)
    if _in_progress(version, settings.evaluation_stale_s):
        raise Conflict(
            "This version is already being evaluated.",
            details={"evaluation_status": str(version.evaluation_status)},
        )
    version.evaluation_status, version.error = EvaluationStatus.queued, None
    version.evaluation_requested_at = utcnow()
    version.evaluation_claim, version.evaluation_attempts = None, 0
    session.flush()
    return found.submission, version, found.assignment


def _in_progress(version: SubmissionVersion, stale_s: float) -> bool:
    if version.evaluation_status not in (EvaluationStatus.queued, EvaluationStatus.running):
        return False
    asked = version.evaluation_requested_at
    return asked is not None and (utcnow() - asked).total_seconds() < stale_s


def _flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("A concurrent submission got there first; reload and try again.") from None


def set_status(
    session: Session, user: User, submission_id: uuid.UUID, status: ReviewStatus, note: str | None
) -> tuple[Submission, ReviewStatus]:
    found = get_staff_visible(session, user, submission_id)
    submission = found.submission
    before = submission.status
    submission.status, submission.status_note = status, note
    submission.status_by, submission.status_at = user.id, utcnow()
    session.flush()
    return submission, before

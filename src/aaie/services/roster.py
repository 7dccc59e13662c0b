"""Rosters: which students an assignment is for, and the class table built on them.

A teacher enrols students by e-mail (one by one, or from a CSV of name and e-mail). An e-mail
with no account gets a new student account with a one-time temporary password, returned once
to the teacher who enrolled them (the school hands it over; nothing is e-mailed). An e-mail
that belongs to a teacher or admin is refused on its own row; the other rows still go in.

The class table is every enrolled student plus anyone else who submitted, with their
submission's summary built by `services.visibility` for the teacher audience (staff only).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.models import Assignment, Enrolment, Role, Submission, SubmissionVersion, User
from aaie.errors import NotFound, ValidationFailed
from aaie.services import users, visibility
from aaie.services.passwords import temporary_password
from aaie.services.visibility import Audience

MAX_ROSTER_ROWS = 2000
EMAIL_HEADERS = {"email", "e-mail", "e_mail", "mail", "email address", "e-mail address"}
NAME_HEADERS = {"name", "full name", "student", "student name", "display name"}


@dataclass(frozen=True)
class RosterEntry:
    email: str
    name: str | None = None
    row: int | None = None  # the CSV line it came from


@dataclass
class EnrolResult:
    enrolled: list[dict[str, Any]] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    already: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


# --- CSV ---------------------------------------------------------------------------------------


def parse_csv(data: bytes) -> tuple[list[RosterEntry], list[dict[str, Any]]]:
    """Rows of (name, e-mail) from a CSV roster, and the rows that could not be read.

    A header row naming the columns (name / e-mail, any order, more columns allowed) is used
    when present; without one, the column holding an "@" is the e-mail and the first other
    column the name. Separators `,` `;` and tab are recognised."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The roster must be a UTF-8 CSV file.") from None
    if not text.strip():
        raise ValidationFailed("The roster file is empty.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    if not rows:
        raise ValidationFailed("The roster file has no rows.")
    if len(rows) > MAX_ROSTER_ROWS + 1:
        raise ValidationFailed(f"A roster may have at most {MAX_ROSTER_ROWS} rows.")
    email_col, name_col, start = _columns(rows[0])
    entries: list[RosterEntry] = []
    errors: list[dict[str, Any]] = []
    for line, row in enumerate(rows[start:], start=start + 1):
        cells = [c.strip() for c in row]
        e_col = email_col if email_col is not None else _at_column(cells)
        if e_col is None or e_col >= len(cells) or not cells[e_col]:
            errors.append({"row": line, "email": None, "message": "No e-mail address on this row."})
            continue
        n_col = name_col
        if n_col is None:
            n_col = next((i for i, c in enumerate(cells) if i != e_col and c), None)
        name = cells[n_col] if n_col is not None and n_col < len(cells) else None
        entries.append(RosterEntry(email=cells[e_col], name=name or None, row=line))
    return entries, errors


def _columns(header: list[str]) -> tuple[int | None, int | None, int]:
    names = [c.strip().lower() for c in header]
    email_col = next((i for i, c in enumerate(names) if c in EMAIL_HEADERS), None)
    if email_col is None:
        return None, None, 0  # no header: every row is data
    name_col = next((i for i, c in enumerate(names) if c in NAME_HEADERS), None)
    return email_col, name_col, 1


def _at_column(cells: list[str]) -> int | None:
    return next((i for i, c in enumerate(cells) if "@" in c), None)


# --- enrolling ---------------------------------------------------------------------------------


def enrol(
    session: Session, actor: User, assignment: Assignment, entries: list[RosterEntry]
) -> EnrolResult:
    """Enrol each entry; one bad row never stops the others."""
    result = EnrolResult()
    seen: set[str] = set()
    for entry in entries:
        where = {"row": entry.row} if entry.row is not None else {}
        try:
            email = validate_email(entry.email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            result.errors.append({**where, "email": entry.email, "message": str(exc)})
            continue
        if email in seen:
            result.errors.append({**where, "email": email, "message": "Listed twice."})
            continue
        seen.add(email)
        user = users.get_by_email(session, email)
        created = False
        if user is None:
            password = temporary_password()
            user = users.create(
                session, email, password, Role.student, created_by=actor, must_change_password=True
            )
            result.created.append(
                {"student_id": user.id, "email": email, "temporary_password": password}
            )
            created = True
        elif user.role != Role.student:
            result.errors.append(
                {**where, "email": email, "message": f"This is a {user.role} account."}
            )
            continue
        enrolment = session.scalar(
            select(Enrolment).where(
                Enrolment.assignment_id == assignment.id, Enrolment.student_id == user.id
            )
        )
        row = {"student_id": user.id, "email": email, "name": entry.name, "created": created}
        if enrolment is not None:
            if entry.name and entry.name != enrolment.name:
                enrolment.name = entry.name
            row["name"] = enrolment.name
            result.already.append(row)
            continue
        session.add(
            Enrolment(
                assignment_id=assignment.id,
                student_id=user.id,
                name=entry.name,
                added_by=actor.id,
            )
        )
        result.enrolled.append(row)
    session.flush()
    return result


def unenrol(session: Session, assignment: Assignment, student_id: uuid.UUID) -> None:
    """Take a student off the roster (their submission, if any, stays)."""
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.assignment_id == assignment.id, Enrolment.student_id == student_id
        )
    )
    if enrolment is None:
        raise NotFound("This student is not on the roster.")
    session.delete(enrolment)
    session.flush()


# --- the class table ---------------------------------------------------------------------------


def class_table(
    session: Session, settings: Settings, assignment: Assignment
) -> list[dict[str, Any]]:
    """One row per enrolled or submitting student, sorted by name/e-mail (teacher audience)."""
    future = visibility.future_scoring(assignment, settings)
    enrolments = {
        e.student_id: e
        for e in session.scalars(select(Enrolment).where(Enrolment.assignment_id == assignment.id))
    }
    subs = {
        s.student_id: s
        for s in session.scalars(
            select(Submission).where(Submission.assignment_id == assignment.id)
        )
    }
    versions = {
        (v.submission_id, v.number): v
        for v in session.scalars(
            select(SubmissionVersion).where(
                SubmissionVersion.submission_id.in_([s.id for s in subs.values()])
            )
        )
    }
    student_ids = set(enrolments) | set(subs)
    people = {
        u.id: u for u in session.scalars(select(User).where(User.id.in_(student_ids)))
    } if student_ids else {}  # fmt: skip
    rows = []
    for sid in student_ids:
        person, enrolment, sub = people.get(sid), enrolments.get(sid), subs.get(sid)
        row: dict[str, Any] = {
            "student_id": str(sid),
            "email": person.email if person else None,
            "name": enrolment.name if enrolment else None,
            "enrolled": enrolment is not None,
            "enrolled_at": visibility.iso(enrolment.created_at) if enrolment else None,
            "submission": None,
        }
        if sub is not None:
            version = versions.get((sub.id, sub.current_version))
            row["submission"] = _summary(sub, version, future)
        rows.append(row)
    rows.sort(key=lambda r: ((r["name"] or r["email"] or "").lower(), r["student_id"]))
    return rows


def _summary(sub: Submission, version: SubmissionVersion | None, future: bool) -> dict[str, Any]:
    evaluation = visibility.stored_evaluation(version)
    view = visibility.evaluation_view(evaluation, Audience.teacher, future=future)
    cls = view.classification if view else None
    return {
        "submissionId": str(sub.id),
        "version": visibility.version_label(sub.current_version),
        "status": str(sub.status),
        "evaluation_status": str(version.evaluation_status) if version else None,
        "submitted_at": visibility.iso(version.created_at if version else sub.updated_at),
        "label": cls.label if cls else None,
        "confidence": cls.confidence if cls else None,
        "ai_score": view.ai_score.ai_score if view and view.ai_score else None,
        "similarity_pct": view.similarity.similarity_pct if view and view.similarity else None,
        "flagged": sub.flagged if future else None,
        "rubric": view.rubric if view else {},
        "rubric_notes": visibility.rubric_notes(evaluation),
        "not_judged": (
            visibility.classification_details(evaluation).not_judged if evaluation else None
        ),
    }


def students_of(session: Session, user: User) -> list[dict[str, Any]]:
    """The students a teacher teaches (on a roster of, or submitted to, one of their
    assignments) with the assignments they are on; an admin gets every student."""
    owned = select(Assignment.id)
    if user.role != Role.admin:
        owned = owned.where(Assignment.owner_id == user.id)
    links: dict[uuid.UUID, dict[str, Any]] = {}
    for student_id, assignment_id, name in session.execute(
        select(Enrolment.student_id, Enrolment.assignment_id, Enrolment.name).where(
            Enrolment.assignment_id.in_(owned)
        )
    ):
        entry = links.setdefault(student_id, {"assignments": set(), "name": None})
        entry["assignments"].add(str(assignment_id))
        entry["name"] = entry["name"] or name
    for student_id, assignment_id in session.execute(
        select(Submission.student_id, Submission.assignment_id).where(
            Submission.assignment_id.in_(owned)
        )
    ):
        links.setdefault(student_id, {"assignments": set(), "name": None})["assignments"].add(
            str(assignment_id)
        )
    query = select(User).where(User.role == Role.student)
    if user.role != Role.admin:
        query = query.where(User.id.in_(list(links)) if links else false())
    out = []
    for student in session.scalars(query.order_by(User.email)):
        link = links.get(student.id, {"assignments": set(), "name": None})
        out.append(
            {
                "student_id": str(student.id),
                "email": student.email,
                "name": link["name"],
                "is_active": student.is_active,
                "assignment_ids": sorted(link["assignments"]),
                "can_reset_password": user.role == Role.admin or student.created_by == user.id,
            }
        )
    return out

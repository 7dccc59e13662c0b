"""What goes, for good, when a submission, an assignment or a user is deleted.

Every version and evaluation, every uploaded original no remaining submission uses (its bytes
only once the transaction commits), and this process's cached engine result (it quotes the
essay). Each function returns counts for the audit record, never content."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.models import Assignment, StoredFile, Submission, User
from aaie.engine.pipeline import CACHE
from aaie.services import files as file_service
from aaie.services.submissions import versions_of
from aaie.storage import make_file_store


def delete_submission(
    session: Session, settings: Settings, submission: Submission
) -> dict[str, int]:
    """Remove the submission, every version and evaluation, and every uploaded original
    (bytes go once the transaction commits). Returns counts for the audit record."""
    versions = versions_of(session, submission.id)
    file_ids = {v.file_id for v in versions if v.file_id}
    for version in versions:
        # This process's engine cache holds the evaluation (with quotes of the essay): drop it.
        if isinstance(version.evaluation, dict) and version.evaluation.get("cache_key"):
            CACHE.discard(str(version.evaluation["cache_key"]))
        session.delete(version)
    session.flush()
    session.delete(submission)
    session.flush()
    store = make_file_store(settings)
    removed = 0
    for file_id in file_ids:
        stored = session.get(StoredFile, file_id)
        if stored is not None and not file_service.in_use(session, file_id):
            file_service.delete_file(session, store, stored)
            removed += 1
    return {"versions": len(versions), "files": removed}


def _delete_each(
    session: Session, settings: Settings, submissions: Sequence[Submission]
) -> dict[str, int]:
    """`delete_submission` each one; totals for the audit record."""
    counts = {"submissions": 0, "versions": 0, "files": 0}
    for submission in submissions:
        result = delete_submission(session, settings, submission)
        counts["submissions"] += 1
        counts["versions"] += result["versions"]
        counts["files"] += result["files"]
    return counts


def delete_work_of(session: Session, settings: Settings, user: User) -> dict[str, int]:
    """Everything a user being deleted leaves behind: their submissions (versions, evaluations,
    originals) and any other upload of theirs that no remaining submission uses. Without this
    the database cascade would drop the rows but leave file bytes in the store."""
    owned = select(Submission).where(Submission.student_id == user.id)
    counts = _delete_each(session, settings, session.scalars(owned).all())
    store = make_file_store(settings)
    for stored in session.scalars(select(StoredFile).where(StoredFile.owner_id == user.id)).all():
        if not file_service.in_use(session, stored.id):
            file_service.delete_file(session, store, stored)
            counts["files"] += 1
    return counts


def delete_assignment(
    session: Session, settings: Settings, assignment: Assignment
) -> dict[str, int]:
    """An assignment and, for good, every submission to it (with their files)."""
    to_delete = select(Submission).where(Submission.assignment_id == assignment.id)
    counts = _delete_each(session, settings, session.scalars(to_delete).all())
    session.delete(assignment)
    session.flush()
    return counts

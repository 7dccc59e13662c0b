"""Uploaded files (§11.4): store, read, delete, and who may do which.

Bytes live in the file store (local directory or S3); the database holds metadata and the
extracted text. Read access: the owner, admins, and the teacher of a submission that uses the
file. Delete: the owner or an admin. Anyone else is told the file does not exist (404).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Callable

import structlog
from sqlalchemy import event, exists, select
from sqlalchemy.orm import Session

from aaie.db.models import Assignment, Role, StoredFile, Submission, SubmissionVersion, User
from aaie.engine.text import word_count
from aaie.errors import Conflict, Forbidden, NotFound
from aaie.services.file_content import extract_text, sniff
from aaie.storage import FileNotInStore, FileStore

log = structlog.get_logger("aaie.files")
PREVIEW_CHARS = 1000
_NOT_FOUND = "No such file."


def create_file(
    session: Session, store: FileStore, owner: User, filename: str, data: bytes
) -> StoredFile:
    """Sniff, extract and store an upload; 415/422 for files we cannot accept."""
    name = safe_filename(filename)
    sniffed = sniff(data, name)
    text = extract_text(data, sniffed)
    file_id = uuid.uuid4()
    stored = StoredFile(
        id=file_id,
        owner_id=owner.id,
        filename=name,
        content_type=sniffed.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=storage_key(file_id),
        extracted_text=text,
        word_count=word_count(text),
    )
    store.put(stored.storage_key, data, sniffed.content_type)
    try:
        session.add(stored)
        session.flush()
    except BaseException:
        store.delete(stored.storage_key)  # no row, no bytes
        raise
    # If the transaction is rolled back later, the bytes must not outlive it.
    key = stored.storage_key
    _after_transaction(session, on_rollback=lambda: store.delete(key))
    return stored


def storage_key(file_id: uuid.UUID) -> str:
    # Sharded by id prefix so no directory grows huge; never the user's filename (PII).
    return f"uploads/{file_id.hex[:2]}/{file_id.hex}"


def safe_filename(filename: str | None) -> str:
    """The base name a browser sent, stripped of paths and control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > 200:  # keep the extension when shortening
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) <= 9 else name[:200]
    return name or "upload"


# --- access ----------------------------------------------------------------------------------


def can_read(session: Session, stored: StoredFile, user: User) -> bool:
    if user.role == Role.admin or stored.owner_id == user.id:
        return True
    return user.role == Role.teacher and _teacher_of_a_submission_using(session, stored.id, user)


def can_delete(stored: StoredFile, user: User) -> bool:
    return user.role == Role.admin or stored.owner_id == user.id


def get_readable(session: Session, file_id: uuid.UUID, user: User) -> StoredFile:
    stored = session.get(StoredFile, file_id)
    if stored is None or not can_read(session, stored, user):
        raise NotFound(_NOT_FOUND)
    return stored


def get_deletable(session: Session, file_id: uuid.UUID, user: User) -> StoredFile:
    """404 for callers who cannot see it; 403 for a teacher who may read it but not delete it;
    409 when a student's file is the original of a submission (it goes with the submission)."""
    stored = get_readable(session, file_id, user)
    if not can_delete(stored, user):
        raise Forbidden("Only the file's owner or an admin may delete it.")
    if user.role != Role.admin and in_use(session, stored.id):
        raise Conflict(
            "This file is the original of a submission; it is deleted together with the submission."
        )
    return stored


def _teacher_of_a_submission_using(session: Session, file_id: uuid.UUID, user: User) -> bool:
    """True when `user` teaches an assignment with a submission version that uses the file."""
    query = (
        select(SubmissionVersion.id)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(SubmissionVersion.file_id == file_id, Assignment.owner_id == user.id)
    )
    return bool(session.scalar(select(exists(query))))


def in_use(session: Session, file_id: uuid.UUID) -> bool:
    """A file that is the original of some submission version (deleted with the submission)."""
    return bool(session.scalar(select(exists().where(SubmissionVersion.file_id == file_id))))


# --- content ---------------------------------------------------------------------------------


def read_bytes(store: FileStore, stored: StoredFile) -> bytes:
    try:
        return store.get(stored.storage_key)
    except FileNotInStore:
        raise NotFound("The file's contents are no longer available.") from None


def preview(stored: StoredFile, chars: int = PREVIEW_CHARS) -> tuple[str, bool]:
    """The first `chars` characters of the text, cut at a word boundary; (text, truncated)."""
    text = stored.extracted_text
    if len(text) <= chars:
        return text, False
    cut = text[:chars]
    space = cut.rfind(" ")
    return (cut[:space] if space > chars * 0.8 else cut).rstrip() + "…", True


def delete_file(session: Session, store: FileStore, stored: StoredFile) -> None:
    """Remove the row now and the bytes once the transaction commits (never before: a rollback
    must not leave a row whose bytes are gone)."""
    key = stored.storage_key
    session.delete(stored)
    session.flush()
    _after_transaction(session, on_commit=lambda: store.delete(key))


def _after_transaction(
    session: Session,
    *,
    on_commit: Callable[[], None] | None = None,
    on_rollback: Callable[[], None] | None = None,
) -> None:
    """Run one of two actions when the session's current transaction ends, then never again
    (a session reused for a later transaction must not re-run them)."""
    done = False

    def finish(action: Callable[[], None] | None) -> None:
        nonlocal done
        if not done:
            done = True
            if action is None:
                return
            try:
                action()
            except Exception:  # the transaction's outcome stands; an orphan is only logged
                log.exception("file_store_cleanup_failed")

    event.listen(session, "after_commit", lambda _s: finish(on_commit), once=True)
    event.listen(session, "after_rollback", lambda _s: finish(on_rollback), once=True)

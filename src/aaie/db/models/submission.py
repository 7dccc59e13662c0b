"""Submissions and their versions. One submission per (assignment, student); every resubmit
adds a version that keeps its own text and evaluation."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aaie.db.base import Base, Timestamps, UUIDPrimaryKey, utcnow


class ReviewStatus(enum.StrEnum):
    submitted = "submitted"
    reviewed = "reviewed"
    needs_follow_up = "needs_follow_up"
    archived = "archived"


class EvaluationStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Submission(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("assignment_id", "student_id", name="uq_submissions_assignment_student"),
    )

    assignment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[ReviewStatus] = mapped_column(
        Enum(ReviewStatus, name="review_status", native_enum=False, length=24),
        default=ReviewStatus.submitted,
        index=True,
    )
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    status_note: Mapped[str | None] = mapped_column(Text)
    status_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status_at: Mapped[datetime | None] = mapped_column()
    # Denormalised from the current version's evaluation so the class view can filter in SQL.
    label: Mapped[str | None] = mapped_column(String(16), index=True)
    flagged: Mapped[bool | None] = mapped_column(index=True)
    # The teacher's own grades of this essay, 0-1 by criterion name and "overall": what the
    # assignment's rubric calibration is fitted on (services/calibration.py). Staff only.
    teacher_scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    # The version the grades were given for (a resubmission does not carry them over).
    teacher_scores_version: Mapped[int | None] = mapped_column(Integer)
    teacher_scores_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    teacher_scores_at: Mapped[datetime | None] = mapped_column()


class SubmissionVersion(UUIDPrimaryKey, Base):
    __tablename__ = "submission_versions"
    __table_args__ = (
        UniqueConstraint(
            "submission_id", "number", name="uq_submission_versions_submission_number"
        ),
    )

    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("files.id", ondelete="SET NULL"), index=True
    )
    prompt_text: Mapped[str | None] = mapped_column(Text)
    chat_log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # With AAIE_REDACT_STORED the text above is the redacted one; `redaction` keeps the entity
    # types and offsets (never the values) so spans can be mapped back to the original layout.
    redaction: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evaluation_status: Mapped[EvaluationStatus] = mapped_column(
        Enum(EvaluationStatus, name="evaluation_status", native_enum=False, length=16),
        default=EvaluationStatus.queued,
        index=True,
    )
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the latest evaluation was asked for (submit or re-evaluate): a job queued or running
    # for much longer than that died with its process and may be re-run.
    evaluation_requested_at: Mapped[datetime | None] = mapped_column()
    evaluated_at: Mapped[datetime | None] = mapped_column()
    # The job that holds the evaluation (aaie.jobs.lease): its claim token, until when its
    # heartbeat vouches for it (after that the reaper requeues it), and how many jobs claimed it.
    evaluation_claim: Mapped[str | None] = mapped_column(String(32))
    evaluation_lease_until: Mapped[datetime | None] = mapped_column()
    evaluation_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

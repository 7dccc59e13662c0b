"""Enrolments: the students on an assignment's roster (the teacher's class list for it)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aaie.db.base import Base, Timestamps, UUIDPrimaryKey


class Enrolment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("assignment_id", "student_id", name="uq_enrolments_assignment_student"),
    )

    assignment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The name as the teacher's roster spells it (accounts carry only an e-mail).
    name: Mapped[str | None] = mapped_column(String(200))
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

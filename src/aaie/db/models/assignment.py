"""Assignments: a teacher's task with its prompt, due date and evaluation params."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aaie.db.base import Base, Timestamps, UUIDPrimaryKey


class Assignment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "assignments"

    # SET NULL: deleting a teacher's account must not silently destroy students' work; an
    # orphaned assignment stays manageable by admins.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    prompt_id: Mapped[str | None] = mapped_column(String(64), index=True)
    prompt_text: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

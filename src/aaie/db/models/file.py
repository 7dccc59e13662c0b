"""Uploaded files: metadata and extracted text in the database, bytes in the file store."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aaie.db.base import Base, UUIDPrimaryKey, utcnow


class StoredFile(UUIDPrimaryKey, Base):
    __tablename__ = "files"

    # SET NULL, not CASCADE: a database cascade cannot delete the bytes in the file store, so the
    # row must outlive its owner until a service removes both together (files.delete_file).
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

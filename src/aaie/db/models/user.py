from __future__ import annotations

import enum
import uuid

from sqlalchemy import Enum, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from aaie.db.base import Base, Timestamps, UUIDPrimaryKey


class Role(enum.StrEnum):
    student = "student"
    teacher = "teacher"
    admin = "admin"


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role", native_enum=False, length=16))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped on deactivation/role change so tokens issued before it stop working at once.
    token_version: Mapped[int] = mapped_column(default=0)
    # Set on a temporary password (enrolment, an admin's reset): the web app asks for a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Who created the account (the enrolling teacher may reset that student's password).
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

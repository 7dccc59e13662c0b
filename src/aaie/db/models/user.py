from __future__ import annotations

import enum

from sqlalchemy import Enum, String
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

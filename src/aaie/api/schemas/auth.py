from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from aaie.db.models import Role
from aaie.security.passwords import MIN_PASSWORD_LENGTH


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    role: Role


class RegisterResponse(BaseModel):
    user_id: uuid.UUID
    role: Role


class LoginRequest(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class LoginResponse(BaseModel):
    token: str
    role: Role
    expires_in: int = Field(description="seconds until the token expires")
    token_type: str = "bearer"


class MeResponse(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Role


class UserOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Role
    is_active: bool
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None

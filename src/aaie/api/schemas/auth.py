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
    must_change_password: bool = Field(
        default=False,
        description="true when the password is a temporary one handed over to the user: "
        "the web app asks them for a new one at their first sign-in",
    )


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
    must_change_password: bool = Field(
        default=False, description="the password is a temporary one: ask the user to change it"
    )


class MeResponse(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Role
    must_change_password: bool = Field(
        default=False, description="the password is a temporary one: ask the user to change it"
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=1024,
        description=f"at least {MIN_PASSWORD_LENGTH} characters (as for a new account)",
    )


class PasswordReset(BaseModel):
    user_id: uuid.UUID
    email: str
    temporary_password: str = Field(
        description="shown once: hand it to the user, who is asked to change it at sign-in"
    )
    must_change_password: bool = True


class UserOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Role
    is_active: bool
    must_change_password: bool = False
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

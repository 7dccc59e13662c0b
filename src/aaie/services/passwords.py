"""Changing a password (the user) and resetting one to a temporary password (admin, or the
teacher who created the student's account).

Either way every token and web session the user holds stops working at once (their
`token_version` is bumped, which `get_current_user` checks on every request), including the
one that made the change: the caller signs in again with the new password. A temporary
password sets `must_change_password`; changing the password clears it.

Wrong current passwords are throttled like logins (`AAIE_LOGIN_MAX_FAILURES` in
`AAIE_LOGIN_LOCKOUT_S`, per user), so a stolen session cannot guess its way to the password.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.models import Role, User
from aaie.errors import Forbidden, ValidationFailed, WrongPassword
from aaie.security.passwords import hash_password, verify_password
from aaie.services.ratelimit import CounterStore, refuse_when_locked_out


def temporary_password() -> str:
    """16 URL-safe characters (96 random bits), meant to be read out or copied once."""
    return secrets.token_urlsafe(12)


def change(
    session: Session,
    settings: Settings,
    counters: CounterStore,
    user: User,
    current_password: str,
    new_password: str,
) -> None:
    """Set a new password after checking the current one (WrongPassword, RateLimited)."""
    throttle_key = f"password:{user.id}"
    refuse_when_locked_out(counters, throttle_key, settings.login_max_failures, "wrong passwords")
    if not verify_password(user.password_hash, current_password):
        counters.hit(throttle_key, settings.login_lockout_s)
        raise WrongPassword()
    counters.reset(throttle_key)
    if new_password == current_password:
        raise ValidationFailed("The new password must differ from the current one.")
    set_password(user, new_password, must_change=False)
    session.flush()


def reset(session: Session, actor: User, user: User) -> str:
    """Give `user` a new temporary password and return it (shown once to `actor`).

    An admin may reset anyone's; a teacher only a student whose account they created (by
    enrolling them), since any teacher may enrol any existing student. Forbidden otherwise."""
    allowed = actor.role == Role.admin or (
        actor.role == Role.teacher and user.role == Role.student and user.created_by == actor.id
    )
    if not allowed:
        raise Forbidden(
            "Only an admin, or the teacher who created this student's account, "
            "may reset its password."
        )
    password = temporary_password()
    set_password(user, password, must_change=True)
    session.flush()
    return password


def set_password(user: User, password: str, *, must_change: bool) -> None:
    """Replace the password (no checks: callers check who may) and revoke every session."""
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.token_version += 1  # every token and session issued before now stops working

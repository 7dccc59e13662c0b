"""User accounts: registration, login, admin management. No function here returns a hash."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aaie.db.models import Role, User
from aaie.errors import Conflict, NotFound
from aaie.security.passwords import dummy_hash, hash_password, verify_password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def create(
    session: Session,
    email: str,
    password: str,
    role: Role,
    *,
    created_by: User | None = None,
    must_change_password: bool = False,
) -> User:
    if get_by_email(session, email) is not None:
        raise Conflict("A user with this email already exists.")
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        role=role,
        created_by=created_by.id if created_by else None,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the credentials are right and the account active, else None.
    Unknown emails still pay for one hash verification so timing does not reveal them."""
    user = get_by_email(session, email)
    if user is None:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    return user


def list_users(session: Session, offset: int, limit: int) -> tuple[Sequence[User], int]:
    total = session.scalar(select(func.count()).select_from(User)) or 0
    rows = session.scalars(
        select(User).order_by(User.created_at, User.id).offset(offset).limit(limit)
    ).all()
    return rows, total


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.admin, User.is_active.is_(True))
        )
        or 0
    )


def _guard_last_admin(session: Session, user: User, *, losing_admin: bool) -> None:
    if losing_admin and user.role == Role.admin and user.is_active and _active_admins(session) <= 1:
        raise Conflict("This is the last active admin; add another admin first.")


def update(session: Session, user: User, role: Role | None, is_active: bool | None) -> User:
    demoted = role is not None and role != Role.admin
    deactivated = is_active is False
    _guard_last_admin(session, user, losing_admin=demoted or deactivated)
    changed = False
    if role is not None and role != user.role:
        user.role, changed = role, True
    if is_active is not None and is_active != user.is_active:
        user.is_active, changed = is_active, True
    if changed:
        user.token_version += 1  # existing tokens carry the old role/state: revoke them
    session.flush()
    return user


def delete(session: Session, user: User) -> None:
    _guard_last_admin(session, user, losing_admin=True)
    session.delete(user)
    session.flush()


def ensure_admin(session: Session, email: str, password: str) -> tuple[User, bool]:
    """Create the admin if absent; returns (user, created)."""
    existing = get_by_email(session, email)
    if existing is not None:
        return existing, False
    return create(session, email, password, Role.admin), True

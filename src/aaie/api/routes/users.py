from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from aaie.api.deps import AdminUser, SessionDep, SettingsDep, StaffUser, UserId
from aaie.api.errors import error_responses
from aaie.api.paging import Offset
from aaie.api.schemas.auth import PasswordReset, UserOut, UserPage, UserUpdate
from aaie.db.models import User
from aaie.services import audit, deletion, passwords, users

router = APIRouter(prefix="/api/users", tags=["users"])


def _out(user: User) -> UserOut:
    return UserOut(
        user_id=user.id,
        email=user.email,
        role=user.role,
        is_active=user.is_active,
        must_change_password=user.must_change_password,
        created_at=user.created_at,
    )


@router.get("", response_model=UserPage, responses=error_responses(401, 403, 422))
def list_users(
    _: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> UserPage:
    """Every account with its role and status (admin only), oldest first."""
    rows, total = users.list_users(session, offset, limit)
    return UserPage(items=[_out(u) for u in rows], total=total, limit=limit, offset=offset)


@router.get("/{userId}", response_model=UserOut, responses=error_responses(401, 403, 404, 422))
def get_user(user_id: UserId, _: AdminUser, session: SessionDep) -> UserOut:
    return _out(users.get(session, user_id))


@router.put("/{userId}", response_model=UserOut, responses=error_responses(401, 403, 404, 409, 422))
def update_user(
    user_id: UserId, body: UserUpdate, admin: AdminUser, session: SessionDep, request: Request
) -> UserOut:
    """Change a role and/or deactivate or reactivate. The last active admin stays admin (409)."""
    user = users.get(session, user_id)
    before = {"role": user.role, "is_active": user.is_active}
    users.update(session, user, body.role, body.is_active)
    audit.record(
        session,
        actor=admin,
        action="user.update",
        resource_type="user",
        resource_id=user.id,
        request_id=request.state.request_id,
        details={"before": before, "after": {"role": user.role, "is_active": user.is_active}},
    )
    return _out(user)


@router.delete(
    "/{userId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 422),
)
def delete_user(
    user_id: UserId,
    admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """Delete an account for good, with the student's submissions and every file they
    uploaded. The last active admin cannot be deleted (409; the transaction rolls back, and
    file bytes are only removed once it commits)."""
    user = users.get(session, user_id)
    removed = deletion.delete_work_of(session, settings, user)
    users.delete(session, user)
    audit.record(
        session,
        actor=admin,
        action="user.delete",
        resource_type="user",
        resource_id=user_id,
        request_id=request.state.request_id,
        details=removed,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{userId}/password-reset",
    response_model=PasswordReset,
    responses=error_responses(401, 403, 404, 422),
)
def reset_password(
    user_id: UserId, actor: StaffUser, session: SessionDep, request: Request
) -> PasswordReset:
    """Give a user a new temporary password, returned once (as enrolment does). Admin: any
    account. Teacher: only a student whose account they created by enrolling them (403
    otherwise: any teacher may enrol an existing student, so a roster alone proves nothing).
    The user's tokens and sessions end at once and they are asked to change the password
    (`must_change_password`) at their next sign-in in the web app."""
    user = users.get(session, user_id)
    temporary = passwords.reset(session, actor, user)
    audit.record(
        session,
        actor=actor,
        action="user.password_reset",
        resource_type="user",
        resource_id=user.id,
        request_id=request.state.request_id,
        details={"role": user.role},
    )
    return PasswordReset(user_id=user.id, email=user.email, temporary_password=temporary)

"""Dependencies: the database session, the caller, and role requirements.

`CurrentUser` resolves the bearer token *and* re-reads the user, so a deactivated or deleted
account (or one whose role changed) is rejected on its very next request.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from aaie.api.state import AppState
from aaie.config import Settings
from aaie.db.models import ReviewStatus, Role, User
from aaie.db.session import transaction
from aaie.errors import Forbidden, PasswordChangeRequired, RateLimited, Unauthorized
from aaie.security.sessions import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, csrf_valid
from aaie.security.tokens import InvalidToken
from aaie.services.submissions import Filters

_bearer = HTTPBearer(auto_error=False, description="JWT from POST /api/auth/login")


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.aaie
    return state


State = Annotated[AppState, Depends(get_state)]


async def get_settings_dep(state: State) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(state: State) -> Iterator[Session]:
    with transaction(state.sessions) as session:
        yield session


# scope="function": the transaction commits when the handler returns, BEFORE the response is
# sent. With FastAPI's default ("request") it would commit after the client already has its
# 201, so a client acting on it at once could miss the row, and a failed commit would leave a
# success response for a write that never happened.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_signed_in_user(
    request: Request,
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The caller, re-read from the database on every request, even one whose password is
    temporary (only the routes that let them see who they are and choose a new password
    take this; every other route takes `CurrentUser`).

    Authenticated by the bearer token, or by the web app's session cookie (then a state
    change must carry the session's CSRF token; see security/sessions.py).

    Returns a *detached snapshot* of the user row (use its id in queries; do not attach it to
    a session). The lookup (services.user_lookup) is one indexed primary-key read done
    inline: far cheaper than a thread-pool hop and an ORM session."""
    if credentials is not None and credentials.scheme.lower() == "bearer":
        token = credentials.credentials
    elif credentials is None and (cookie := request.cookies.get(SESSION_COOKIE)):
        # The web app's session (security/sessions.py): state changes need its CSRF token.
        token = cookie
        if request.method not in SAFE_METHODS and not csrf_valid(
            token, request.headers.get(CSRF_HEADER)
        ):
            raise Forbidden("This request needs the session's CSRF token (X-CSRF-Token).")
    else:
        raise Unauthorized("A bearer token is required.", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = state.tokens.verify(token)
    except InvalidToken:
        raise Unauthorized(
            "The token is invalid or expired.", headers={"WWW-Authenticate": "Bearer"}
        ) from None
    user = state.users.snapshot(claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.token_version:
        raise Unauthorized("The token is no longer valid.", headers={"WWW-Authenticate": "Bearer"})
    request.state.user_id = str(user.id)
    return user


SignedInUser = Annotated[User, Depends(get_signed_in_user)]


async def get_current_user(user: SignedInUser) -> User:
    """The caller, once they have their own password.

    A temporary password (set by an admin or teacher reset, or on a roster import) was seen
    by someone else: until the user chooses their own, the account may only read its profile
    and change the password (403 `password_change_required` elsewhere), so a leaked
    temporary password cannot read or change a student's work."""
    if user.must_change_password:
        raise PasswordChangeRequired()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], Awaitable[User]]:
    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"This action needs one of the roles: {', '.join(roles)}.")
        return user

    return check


AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
StaffUser = Annotated[User, Depends(require_roles(Role.teacher, Role.admin))]


def rate_limited(bucket: str) -> Callable[[AppState, User], Awaitable[None]]:
    """Per-user limit on an expensive route family; 429 with Retry-After beyond it."""

    async def check(state: State, user: CurrentUser) -> None:
        count, reset_s = state.counters.hit(f"{bucket}:{user.id}", 60)
        if count > state.settings.rate_limit_per_minute:
            raise RateLimited(
                f"At most {state.settings.rate_limit_per_minute} requests a minute on this route.",
                headers={"Retry-After": str(reset_s)},
                details={"retry_after_s": reset_s},
            )

    return check


def submission_filters(
    status: Annotated[ReviewStatus | None, Query(description="review status")] = None,
    label: Annotated[
        Literal["Human", "AI", "Hybrid"] | None, Query(description="classification label")
    ] = None,
    flagged: Annotated[bool | None, Query(description="similarity flag")] = None,
) -> Filters:
    """The class-view filters of a submissions list (students may use none of them)."""
    return Filters(status=status, label=label, flagged=flagged)


SubmissionFilters = Annotated[Filters, Depends(submission_filters)]


# Path parameters: the contract (§11) names them in camelCase; Python keeps snake_case names.
AssignmentId = Annotated[uuid.UUID, Path(alias="assignmentId", description="an assignment's id")]
SubmissionId = Annotated[uuid.UUID, Path(alias="submissionId", description="a submission's id")]
FileId = Annotated[uuid.UUID, Path(alias="fileId", description="a stored file's id")]
UserId = Annotated[uuid.UUID, Path(alias="userId", description="a user's id")]

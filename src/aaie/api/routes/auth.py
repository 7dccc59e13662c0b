from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from aaie.api.deps import AdminUser, SessionDep, SignedInUser, State
from aaie.api.errors import error_responses
from aaie.api.schemas.auth import (
    LoginRequest,
    LoginResponse,
    MeResponse,
    PasswordChange,
    RegisterRequest,
    RegisterResponse,
)
from aaie.services import audit, passwords, users
from aaie.services.sign_in import sign_in

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=RegisterResponse,
    responses=error_responses(400, 401, 403, 409, 422),
)
def register(
    body: RegisterRequest, admin: AdminUser, session: SessionDep, request: Request
) -> RegisterResponse:
    """Create an account with a role (admin only)."""
    user = users.create(
        session,
        body.email,
        body.password,
        body.role,
        created_by=admin,
        must_change_password=body.must_change_password,
    )
    audit.record(
        session,
        actor=admin,
        action="user.register",
        resource_type="user",
        resource_id=user.id,
        request_id=request.state.request_id,
        details={"role": user.role},
    )
    return RegisterResponse(user_id=user.id, role=user.role)


@router.post("/login", response_model=LoginResponse, responses=error_responses(400, 401, 422, 429))
def login(body: LoginRequest, session: SessionDep, state: State, request: Request) -> LoginResponse:
    """Exchange email + password for a short-lived bearer token.

    Repeated failures for one email from one address lock it out for a while (429)."""
    user = sign_in(
        session, state.settings, state.counters, body.email, body.password, _client_ip(request)
    )
    token = state.tokens.issue(user.id, user.role, user.token_version)
    return LoginResponse(
        token=token,
        role=user.role,
        expires_in=state.tokens.ttl_s,
        must_change_password=user.must_change_password,
    )


@router.get("/me", response_model=MeResponse, responses=error_responses(401))
async def me(user: SignedInUser) -> MeResponse:
    """The caller's own profile and role."""
    return MeResponse(
        user_id=user.id,
        email=user.email,
        role=user.role,
        must_change_password=user.must_change_password,
    )


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 422, 429),
)
def change_password(
    body: PasswordChange, user: SignedInUser, session: SessionDep, state: State, request: Request
) -> Response:
    """Change your own password (any role). The current password must be right (403
    `wrong_password`; repeated failures are throttled like logins: 429 with Retry-After); the
    new one follows the account rules (422). On success (204) every token and web session of
    this user ends, this one included: sign in again with the new password."""
    account = users.get(session, user.id)
    passwords.change(
        session, state.settings, state.counters, account, body.current_password, body.new_password
    )
    audit.record(
        session,
        actor=user,
        action="user.password_change",
        resource_type="user",
        resource_id=user.id,
        request_id=request.state.request_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"

"""Pages of the web app: sign-in/out, the session refresh, the app shell, offline API docs.

Everything here is outside the OpenAPI document (`include_in_schema=False`): these are pages,
not API. The shell is one HTML page for every `/app/...` path; the scripts it loads render the
views and call the JSON API with the session cookie.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from aaie import __version__
from aaie.db.models import User
from aaie.db.session import transaction
from aaie.errors import RateLimited, Unauthorized
from aaie.security.sessions import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_token,
    csrf_valid,
)
from aaie.security.tokens import InvalidToken
from aaie.services.sign_in import sign_in

HERE = Path(__file__).resolve().parent
STATIC = "/app/static"
LOGIN_CSRF_COOKIE = "aaie_login_csrf"
# Pages are built from our own files only: no inline script, nothing from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)

templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Add the web app, its assets and the offline docs pages to `app`.

    Call with `FastAPI(docs_url=None, redoc_url=None)`: /docs and /redoc are served here,
    from local assets."""
    # The assets first: the app shell answers every other /app/... path.
    app.mount(STATIC, StaticFiles(directory=str(HERE / "static")), name="web-static")
    app.include_router(router)


def _state(request: Request) -> Any:
    """The app's process-wide state (`aaie.api.state.AppState`; not imported: the web layer
    sits below the API, which installs it)."""
    return request.app.state.aaie


# --- sessions ----------------------------------------------------------------------------------


def session_user(request: Request, state: Any) -> tuple[User, str] | None:
    """The signed-in user and their session token, or None (absent, expired, revoked)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        claims = state.tokens.verify(token)
    except InvalidToken:
        return None
    user = state.users.snapshot(claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.token_version:
        return None
    return user, token


def _set_cookie(response: Response, request: Request, state: Any, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=state.tokens.ttl_s,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _safe_next(value: str | None) -> str:
    """Only a path inside the app: never another site (open redirect)."""
    if value and value.startswith("/app") and not value.startswith("//") and "\\" not in value:
        return value
    return "/app"


def _page(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- pages -------------------------------------------------------------------------------------


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/app", status_code=307)


@router.get("/app/login")
async def login_page(
    request: Request, next: str | None = None, expired: bool = False, changed: bool = False
) -> Response:
    if session_user(request, _state(request)) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, next=_safe_next(next), expired=expired, changed=changed)


def _login_form(
    request: Request,
    *,
    next: str,
    expired: bool = False,
    changed: bool = False,
    error: str | None = None,
    email: str = "",
    status_code: int = 200,
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {
            "next": next,
            "expired": expired,
            "changed": changed,
            "error": error,
            "email": email,
            "csrf": token,
            "static": STATIC,
            "version": __version__,
        },
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/app/login",
    )
    return _page(response)


@router.post("/app/login")
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token_field: str = Form("", alias=CSRF_FIELD),
    next: str = Form("/app"),
) -> Response:
    """Sign in (the API login's own checks and throttling), then set the session cookie."""
    state = _state(request)
    target = _safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf_token_field):
        return _login_form(
            request,
            next=target,
            email=email,
            error="The sign-in form had expired. Please sign in again.",
            status_code=400,
        )
    if not email.strip() or not password:
        return _login_form(
            request, next=target, email=email, error="Enter your e-mail and password.",
            status_code=422,
        )  # fmt: skip
    client = request.client.host if request.client else "unknown"
    try:
        with transaction(state.sessions) as session:
            user = sign_in(session, state.settings, state.counters, email, password, client)
            token = state.tokens.issue(user.id, user.role, user.token_version)
    except Unauthorized as exc:
        return _login_form(request, next=target, email=email, error=exc.message, status_code=401)
    except RateLimited as exc:
        return _login_form(request, next=target, email=email, error=exc.message, status_code=429)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, request, state, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/app/login")
    return response


@router.post("/app/logout")
async def logout(request: Request, csrf_token_field: str = Form("", alias=CSRF_FIELD)) -> Response:
    """Forget the session cookie (the form carries the CSRF token)."""
    state = _state(request)
    current = session_user(request, state)
    if current is not None and not csrf_valid(current[1], csrf_token_field):
        return JSONResponse(
            {"error": {"code": "forbidden", "message": "Missing CSRF token.", "details": None}},
            status_code=403,
        )
    response = RedirectResponse("/app/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/app/session")
async def refresh_session(request: Request) -> Response:
    """Renew the session cookie while the user is active (the page calls this every few
    minutes). 401 once it has expired: the page then keeps its drafts and signs in again."""
    state = _state(request)
    current = session_user(request, state)
    if current is None:
        return JSONResponse(
            {"error": {"code": "unauthorized", "message": "Signed out.", "details": None}},
            status_code=401,
        )
    user, token = current
    if not csrf_valid(token, request.headers.get(CSRF_HEADER)):
        return JSONResponse(
            {"error": {"code": "forbidden", "message": "Missing CSRF token.", "details": None}},
            status_code=403,
        )
    new_token = state.tokens.issue(user.id, user.role, user.token_version)
    response = JSONResponse({"csrf": csrf_token(new_token), "expires_in": state.tokens.ttl_s})
    _set_cookie(response, request, state, new_token)
    return response


@router.get("/app")
@router.get("/app/{path:path}")
async def shell(request: Request, path: str = "") -> Response:
    """The app: one page for every view; the scripts route by the URL."""
    state = _state(request)
    current = session_user(request, state)
    if current is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/app/login?next={quote(here)}", status_code=303)
    user, token = current
    boot: dict[str, Any] = {
        "user": {
            "id": str(user.id),
            "email": user.email,
            "role": str(user.role),
            "must_change_password": user.must_change_password,
        },
        "csrf": csrf_token(token),
        "session_ttl_s": state.tokens.ttl_s,
        "version": __version__,
    }
    response = templates.TemplateResponse(
        request,
        "app.html",
        {
            # Inside <script type="application/json">: no "<" may end the element early.
            "boot": json.dumps(boot).replace("<", "\\u003c"),
            "static": STATIC,
            "user": boot["user"],
            "csrf": boot["csrf"],
        },
    )
    return _page(response)


# --- offline API docs --------------------------------------------------------------------------


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="AAIE API - Swagger UI",
        swagger_js_url=f"{STATIC}/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC}/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{STATIC}/vendor/swagger-ui/favicon-32x32.png",
        oauth2_redirect_url="/docs/oauth2-redirect",
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/docs/oauth2-redirect")
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="AAIE API - ReDoc",
        redoc_js_url=f"{STATIC}/vendor/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{STATIC}/vendor/swagger-ui/favicon-32x32.png",
        with_google_fonts=False,
    )

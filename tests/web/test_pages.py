"""The web app's pages and browser sessions (without a browser): redirects, sign-in, the
HttpOnly cookie, CSRF on state changes, sign-out, and the offline docs pages."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from aaie.db.models import Role
from aaie.security.sessions import SESSION_COOKIE, csrf_token
from tests.conftest import PASSWORD, make_account


def _sign_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "/app"):
    page = client.get("/app/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return client.post(
        "/app/login",
        data={"email": email, "password": password, "csrf_token": token.group(1), "next": next},
        follow_redirects=False,
    )


def test_root_redirects_to_the_app_and_the_app_to_sign_in(client: TestClient) -> None:
    root = client.get("/", follow_redirects=False)
    assert root.status_code == 307 and root.headers["location"] == "/app"
    app_page = client.get("/app/assignments/x", follow_redirects=False)
    assert app_page.status_code == 303
    assert app_page.headers["location"] == "/app/login?next=/app/assignments/x"
    login = client.get("/app/login")
    assert login.status_code == 200 and 'type="password"' in login.text


def test_sign_in_sets_an_httponly_samesite_cookie_and_serves_the_shell(
    client: TestClient, app: FastAPI
) -> None:
    teacher = make_account(app, Role.teacher)
    done = _sign_in(client, teacher.email, next="/app/students")
    assert done.status_code == 303 and done.headers["location"] == "/app/students"
    cookie = done.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    shell = client.get("/app/students")
    assert shell.status_code == 200 and teacher.email in shell.text
    assert "Content-Security-Policy" in shell.headers
    # The cookie authenticates API reads too.
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["email"] == teacher.email


def test_sign_in_refuses_bad_passwords_foreign_next_and_forms_without_csrf(
    client: TestClient, app: FastAPI
) -> None:
    teacher = make_account(app, Role.teacher)
    wrong = _sign_in(client, teacher.email, password="not-the-password")
    assert wrong.status_code == 401 and "incorrect" in wrong.text
    assert SESSION_COOKIE not in client.cookies
    elsewhere = _sign_in(client, teacher.email, next="https://evil.example/")
    assert elsewhere.headers["location"] == "/app"
    client.cookies.clear()
    forged = client.post(
        "/app/login",
        data={"email": teacher.email, "password": PASSWORD, "csrf_token": "guess"},
        follow_redirects=False,
    )
    assert forged.status_code == 400 and SESSION_COOKIE not in forged.headers.get("set-cookie", "")


def test_state_changes_by_cookie_need_the_csrf_token(client: TestClient, app: FastAPI) -> None:
    teacher = make_account(app, Role.teacher)
    _sign_in(client, teacher.email)
    body = {"title": "Gardens", "prompt_text": "Should towns have gardens?"}
    refused = client.post("/api/assignments", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    token = csrf_token(client.cookies[SESSION_COOKIE])
    made = client.post("/api/assignments", json=body, headers={"X-CSRF-Token": token})
    assert made.status_code == 201
    # A bearer caller needs no CSRF token (nothing a browser sends by itself).
    other = client.post("/api/assignments", json=body, headers={**teacher.headers}, cookies={})
    assert other.status_code == 201


def test_session_refresh_and_sign_out(client: TestClient, app: FastAPI) -> None:
    student = make_account(app, Role.student)
    _sign_in(client, student.email)
    old = client.cookies[SESSION_COOKIE]
    assert client.post("/app/session").status_code == 403  # no CSRF token
    renewed = client.post("/app/session", headers={"X-CSRF-Token": csrf_token(old)})
    assert renewed.status_code == 200 and renewed.json()["csrf"]
    current = client.cookies[SESSION_COOKIE]
    out = client.post(
        "/app/logout", data={"csrf_token": csrf_token(current)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/app/login"
    assert client.get("/app", follow_redirects=False).status_code == 303
    assert client.post("/app/session").status_code == 401


def test_docs_pages_load_their_assets_from_aaie_itself(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        assert all(a.startswith("/") for a in assets), (page, assets)
        assert "cdn" not in html.lower() and "fonts.googleapis" not in html
        for asset in assets:
            assert client.get(asset, follow_redirects=False).status_code == 200, asset


def test_app_assets_are_served_locally(client: TestClient, app: FastAPI) -> None:
    for path, kind in (
        ("/app/static/app.css", "text/css"),
        ("/app/static/app/main.js", "javascript"),
        ("/app/static/vendor/htm-preact/standalone.module.js", "javascript"),
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"], path


def test_a_password_change_ends_the_web_session_and_the_sign_in_page_says_why(
    client: TestClient, app: FastAPI
) -> None:
    student = make_account(app, Role.student)
    assert _sign_in(client, student.email).status_code == 303
    shell = client.get("/app")
    assert '"must_change_password": false' in shell.text
    assert 'href="/app/password"' in shell.text  # the header's "Change password", every role
    token = client.cookies[SESSION_COOKIE]
    changed = client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-brand-new-one"},
        headers={"X-CSRF-Token": csrf_token(token)},
    )
    assert changed.status_code == 204
    # The session cookie no longer opens the app; the sign-in page explains.
    assert client.get("/app", follow_redirects=False).status_code == 303
    notice = client.get("/app/login?changed=1")
    assert "Your password was changed" in notice.text
    assert "Your password was changed" not in client.get("/app/login").text


def test_the_shell_tells_the_app_about_a_temporary_password(
    client: TestClient, app: FastAPI
) -> None:
    admin = make_account(app, Role.admin)
    student = make_account(app, Role.student)
    reset = client.post(f"/api/users/{student.id}/password-reset", headers=admin.headers)
    assert _sign_in(client, student.email, reset.json()["temporary_password"]).status_code == 303
    assert '"must_change_password": true' in client.get("/app").text

"""Passwords: change your own (every role), reset to a temporary one (admin; the teacher who
created the student's account), must_change_password, revocation, throttling and audit."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from aaie.db.models import AuditEvent, Role
from tests.api.workflow_support import make_assignment
from tests.conftest import PASSWORD, Account, make_account

NEW = "a-new-password-of-mine"


def _login(client: TestClient, email: str, password: str):
    return client.post("/api/auth/login", json={"email": email, "password": password})


def _change(client: TestClient, headers: dict[str, str], current: str, new: str):
    return client.post(
        "/api/auth/password",
        headers=headers,
        json={"current_password": current, "new_password": new},
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["student", "teacher", "admin"])
def test_a_changed_password_signs_in_and_the_old_one_no_longer_does(
    client: TestClient, accounts: dict[str, Account], role: str
) -> None:
    account = accounts[role]
    other_session = _login(client, account.email, PASSWORD).json()["token"]

    assert _change(client, account.headers, PASSWORD, NEW).status_code == 204

    assert _login(client, account.email, PASSWORD).status_code == 401
    fresh = _login(client, account.email, NEW)
    assert fresh.status_code == 200 and fresh.json()["must_change_password"] is False
    # Every token issued before the change is revoked, the caller's own included.
    for token in (account.token, other_session):
        assert client.get("/api/auth/me", headers=_bearer(token)).status_code == 401
    me = client.get("/api/auth/me", headers=_bearer(fresh.json()["token"]))
    assert me.status_code == 200 and me.json()["email"] == account.email


def test_a_wrong_current_password_is_403_in_the_envelope_and_changes_nothing(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    student = accounts["student"]
    response = _change(client, student.headers, "not-my-password", NEW)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "wrong_password"
    assert error["message"] == "The current password is incorrect."
    assert set(error) == {"code", "message", "details", "request_id"}
    # Not a 401: the session is still good, and the password unchanged.
    assert client.get("/api/auth/me", headers=student.headers).status_code == 200
    assert _login(client, student.email, PASSWORD).status_code == 200
    assert _login(client, student.email, NEW).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"current_password": PASSWORD, "new_password": "short"},
        {"current_password": PASSWORD, "new_password": "x" * 11},
        {"current_password": PASSWORD, "new_password": "x" * 1025},
        {"current_password": PASSWORD},
        {"current_password": "", "new_password": NEW},
        {"current_password": PASSWORD, "new_password": NEW, "role": "admin"},
        {"current_password": PASSWORD, "new_password": PASSWORD},
    ],
)
def test_a_weak_or_malformed_new_password_is_422(
    client: TestClient, accounts: dict[str, Account], body: dict[str, str]
) -> None:
    student = accounts["student"]
    response = client.post("/api/auth/password", headers=student.headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert _login(client, student.email, PASSWORD).status_code == 200


def test_wrong_current_passwords_are_throttled_like_logins(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    student = accounts["student"]
    for _ in range(5):  # AAIE_LOGIN_MAX_FAILURES
        assert _change(client, student.headers, "guess-guess-guess", NEW).status_code == 403
    locked = _change(client, student.headers, PASSWORD, NEW)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.json()["error"]["code"] == "rate_limited"
    # Even the right password waits: nothing changed.
    assert _login(client, student.email, PASSWORD).status_code == 200
    # Another user is not affected.
    assert _change(client, accounts["teacher"].headers, PASSWORD, NEW).status_code == 204


def test_the_web_session_changes_a_password_with_its_csrf_token(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    from aaie.security.sessions import CSRF_HEADER, SESSION_COOKIE, csrf_token

    student = accounts["student"]
    client.cookies.set(SESSION_COOKIE, student.token)
    body = {"current_password": PASSWORD, "new_password": NEW}
    without = client.post("/api/auth/password", json=body)
    assert without.status_code == 403 and without.json()["error"]["code"] == "forbidden"
    done = client.post(
        "/api/auth/password", json=body, headers={CSRF_HEADER: csrf_token(student.token)}
    )
    assert done.status_code == 204
    # The cookie's session ended with the change.
    assert client.get("/api/auth/me").status_code == 401
    client.cookies.clear()


def test_changes_and_resets_are_audited_without_the_password(
    app: FastAPI, client: TestClient, accounts: dict[str, Account]
) -> None:
    student, admin = accounts["student"], accounts["admin"]
    assert _change(client, student.headers, PASSWORD, NEW).status_code == 204
    reset = client.post(f"/api/users/{student.id}/password-reset", headers=admin.headers)
    temporary = reset.json()["temporary_password"]
    with app.state.aaie.sessions() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["user.password_change", "user.password_reset"]))
            .order_by(AuditEvent.at)
        ).all()
        assert [(e.action, e.actor_id, e.resource_id) for e in events] == [
            ("user.password_change", student.id, str(student.id)),
            ("user.password_reset", admin.id, str(student.id)),
        ]
        text = repr([(e.details, e.action) for e in events])
    for secret in (PASSWORD, NEW, temporary):
        assert secret not in text


def test_an_admin_reset_gives_a_temporary_password_once_and_asks_for_a_new_one(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    student, admin = accounts["student"], accounts["admin"]
    reset = client.post(f"/api/users/{student.id}/password-reset", headers=admin.headers)
    assert reset.status_code == 200, reset.text
    body = reset.json()
    assert body["user_id"] == str(student.id) and body["email"] == student.email
    temporary = body["temporary_password"]
    assert len(temporary) >= 12 and body["must_change_password"] is True
    # The old password and the old tokens stop working; the temporary one signs in.
    assert client.get("/api/auth/me", headers=student.headers).status_code == 401
    assert _login(client, student.email, PASSWORD).status_code == 401
    login = _login(client, student.email, temporary)
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    token = login.json()["token"]
    me = client.get("/api/auth/me", headers=_bearer(token)).json()
    assert me["must_change_password"] is True
    listed = client.get(f"/api/users/{student.id}", headers=admin.headers).json()
    assert listed["must_change_password"] is True
    # Changing it clears the flag.
    assert _change(client, _bearer(token), temporary, NEW).status_code == 204
    again = _login(client, student.email, NEW).json()
    assert again["must_change_password"] is False
    # A second reset gives a different password.
    second = client.post(f"/api/users/{student.id}/password-reset", headers=admin.headers)
    assert second.json()["temporary_password"] != temporary


@pytest.mark.parametrize("role", ["student", "teacher", "admin"])
def test_a_temporary_password_opens_only_the_profile_and_the_password_change(
    client: TestClient, accounts: dict[str, Account], role: str
) -> None:
    """Someone else saw a temporary password: until the user chooses their own, it must not
    read or change anything (the web app asks first; the API enforces it)."""
    target, admin = accounts[role], accounts["admin"]
    temporary = client.post(f"/api/users/{target.id}/password-reset", headers=admin.headers)
    password = temporary.json()["temporary_password"]
    token = _login(client, target.email, password).json()["token"]
    headers = _bearer(token)
    for path in ("/api/assignments", "/api/submissions", "/api/students", "/api/users"):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 403, (role, path)
        assert refused.json()["error"]["code"] == "password_change_required"
    upload = client.post("/api/files", headers=headers, files={"file": ("a.txt", b"essay")})
    assert upload.status_code == 403
    assert client.get("/api/auth/me", headers=headers).json()["must_change_password"] is True

    assert _change(client, headers, password, NEW).status_code == 204
    fresh = _bearer(_login(client, target.email, NEW).json()["token"])
    assert client.get("/api/assignments", headers=fresh).status_code == 200


def test_reset_of_an_unknown_user_is_404(client: TestClient, accounts: dict[str, Account]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for who in ("admin", "teacher"):
        response = client.post(
            f"/api/users/{missing}/password-reset", headers=accounts[who].headers
        )
        assert response.status_code == 404, who


def test_a_teacher_resets_only_students_whose_account_they_created(
    app: FastAPI, client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher, other_teacher = accounts["teacher"], accounts["other_teacher"]
    aid = make_assignment(client, teacher.headers)
    enrolled = client.post(
        f"/api/assignments/{aid}/roster",
        headers=teacher.headers,
        json={
            "students": [
                {"email": "new.kid@school.example.edu"},
                {"email": accounts["student"].email},
            ]
        },
    ).json()
    created = enrolled["created"][0]
    # Enrolment's temporary password is temporary: the web app asks for a new one.
    assert _login(client, created["email"], created["temporary_password"]).json()[
        "must_change_password"
    ]
    mine = client.post(
        f"/api/users/{created['student_id']}/password-reset", headers=teacher.headers
    )
    assert mine.status_code == 200
    assert _login(client, created["email"], mine.json()["temporary_password"]).status_code == 200
    listed = {
        s["email"]: s["can_reset_password"]
        for s in client.get("/api/students", headers=teacher.headers).json()["items"]
    }
    assert listed == {created["email"]: True, accounts["student"].email: False}
    # On the teacher's roster but created elsewhere: any teacher may enrol an existing student,
    # so the roster alone does not let them take the account over.
    existing = client.post(
        f"/api/users/{accounts['student'].id}/password-reset", headers=teacher.headers
    )
    assert existing.status_code == 403 and existing.json()["error"]["code"] == "forbidden"
    # Another teacher, a teacher account, an admin account: refused.
    refused = [
        (other_teacher, created["student_id"]),
        (teacher, other_teacher.id),
        (teacher, accounts["admin"].id),
    ]
    for actor, target in refused:
        response = client.post(f"/api/users/{target}/password-reset", headers=actor.headers)
        assert response.status_code == 403, (actor.email, target)


def test_an_account_an_admin_creates_with_a_temporary_password_is_flagged(
    app: FastAPI, client: TestClient, accounts: dict[str, Account]
) -> None:
    admin = accounts["admin"].headers
    for flag in (True, False):
        email = f"flag-{flag}@example.edu".lower()
        body = {
            "email": email,
            "password": "t" * 12,
            "role": "teacher",
            "must_change_password": flag,
        }
        assert client.post("/api/auth/register", headers=admin, json=body).status_code == 201
        assert _login(client, email, "t" * 12).json()["must_change_password"] is flag


def test_a_deactivated_user_cannot_change_a_password(app: FastAPI, client: TestClient) -> None:
    gone = make_account(app, Role.student, active=False)
    assert _change(client, gone.headers, PASSWORD, NEW).status_code == 401


def test_deleting_the_teacher_who_created_a_student_keeps_the_student(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher, admin = accounts["teacher"], accounts["admin"]
    aid = make_assignment(client, teacher.headers)
    created = client.post(
        f"/api/assignments/{aid}/roster",
        headers=teacher.headers,
        json={"students": [{"email": "orphan@school.example.edu"}]},
    ).json()["created"][0]
    assert client.delete(f"/api/users/{teacher.id}", headers=admin.headers).status_code == 204
    student = client.get(f"/api/users/{created['student_id']}", headers=admin.headers)
    assert student.status_code == 200
    assert _login(client, created["email"], created["temporary_password"]).status_code == 200
    # Only an admin can reset it now.
    reset = client.post(f"/api/users/{created['student_id']}/password-reset", headers=admin.headers)
    assert reset.status_code == 200


# Every route a signed-in account can call, read from the live OpenAPI document so a new route
# is covered the day it is added; only these two answer while the password is temporary.
OPEN_WHILE_TEMPORARY = {("GET", "/api/auth/me"), ("POST", "/api/auth/password")}


def _signed_in_routes(app: FastAPI) -> list[tuple[str, str]]:
    document = app.openapi()
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    )


@pytest.mark.parametrize("role", [Role.student, Role.teacher, Role.admin])
def test_every_route_but_two_refuses_a_temporary_password(app: FastAPI, role: Role) -> None:
    from aaie.db.models import User

    client = TestClient(app)
    account = make_account(app, role)
    with app.state.aaie.sessions.begin() as session:
        session.get(User, account.id).must_change_password = True
    some_id = "00000000-0000-4000-8000-000000000000"
    routes = _signed_in_routes(app)
    assert len(routes) > 40 and set(routes) >= OPEN_WHILE_TEMPORARY
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", lambda m: "1" if m.group() == "{version}" else some_id, path)
        response = client.request(method, url, headers=account.headers, json={})
        if (method, path) in OPEN_WHILE_TEMPORARY:
            assert response.status_code in (200, 403, 422), (method, path, response.text)
            assert response.json().get("error", {}).get("code") != "password_change_required"
        else:
            assert response.status_code == 403, (method, path, response.status_code)
            assert response.json()["error"]["code"] == "password_change_required", (method, path)

"""Auth: register (admin only), login, me, token revocation, throttling."""

from __future__ import annotations

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aaie.db.models import Role
from aaie.security.tokens import InvalidToken, TokenService
from tests.conftest import PASSWORD, Account, make_account


def _login(client: TestClient, email: str, password: str = PASSWORD):
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_admin_registers_teacher_who_can_then_log_in(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    created = client.post(
        "/api/auth/register",
        headers=accounts["admin"].headers,
        json={"email": "New.Teacher@Example.edu", "password": "x" * 12, "role": "teacher"},
    )
    assert created.status_code == 201
    assert created.json()["role"] == "teacher"

    login = _login(client, "new.teacher@example.edu", "x" * 12)
    assert login.status_code == 200
    body = login.json()
    assert body["role"] == "teacher" and body["expires_in"] == 900

    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {
        "user_id": created.json()["user_id"],
        "email": "new.teacher@example.edu",
        "role": "teacher",
        "must_change_password": False,
    }


def test_register_rejects_duplicates_and_bad_input(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    admin = accounts["admin"].headers
    duplicate = client.post(
        "/api/auth/register",
        headers=admin,
        json={"email": accounts["student"].email, "password": "y" * 12, "role": "student"},
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "conflict"
    for bad in (
        {"email": "not-an-email", "password": "y" * 12, "role": "student"},
        {"email": "ok@example.edu", "password": "short", "role": "student"},
        {"email": "ok@example.edu", "password": "y" * 12, "role": "principal"},
    ):
        response = client.post("/api/auth/register", headers=admin, json=bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"


def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    unknown = _login(client, "nobody@example.edu")
    wrong = _login(client, accounts["teacher"].email, "wrong-password-123")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["error"]["message"] == wrong.json()["error"]["message"]


def test_deactivated_users_token_stops_working_at_once(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    assert client.get("/api/auth/me", headers=teacher.headers).status_code == 200
    off = client.put(
        f"/api/users/{teacher.id}", headers=accounts["admin"].headers, json={"is_active": False}
    )
    assert off.status_code == 200
    assert client.get("/api/auth/me", headers=teacher.headers).status_code == 401
    assert _login(client, teacher.email).status_code == 401


def test_deleted_users_token_is_rejected(client: TestClient, accounts: dict[str, Account]) -> None:
    student = accounts["student"]
    assert (
        client.delete(f"/api/users/{student.id}", headers=accounts["admin"].headers).status_code
        == 204
    )
    assert client.get("/api/auth/me", headers=student.headers).status_code == 401


def test_tokens_carry_kid_and_expiry_and_reject_tampering(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    token = _login(client, accounts["teacher"].email).json()["token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256" and header["kid"]
    assert claims["exp"] - claims["iat"] == 900
    guessed = "a-guessed-key-of-the-recommended-length-32"  # the right size, the wrong secret
    forged = jwt.encode(
        {**claims, "role": "admin"}, guessed, algorithm="HS256", headers={"kid": header["kid"]}
    )
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    for bad in (forged, unsigned, token + "x"):
        response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401


def test_expired_token_is_rejected(app: FastAPI, client: TestClient) -> None:
    account = make_account(app, Role.teacher)
    tokens = app.state.aaie.tokens
    tokens_ttl = tokens.ttl_s
    tokens.ttl_s = -10
    try:
        expired = tokens.issue(account.id, account.role, 0)
    finally:
        tokens.ttl_s = tokens_ttl
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


def test_previous_signing_key_still_verifies_after_rotation(app: FastAPI) -> None:
    account = make_account(app, Role.student)
    old = TokenService("old-key-" + "a" * 32, [], 900)
    rotated = TokenService("new-key-" + "b" * 32, ["old-key-" + "a" * 32], 900)
    issued_before = old.issue(account.id, "student", 0)
    assert rotated.verify(issued_before).user_id == account.id
    retired = TokenService("newer-key-" + "c" * 32, [], 900)
    with pytest.raises(InvalidToken):
        retired.verify(issued_before)


def test_repeated_failed_logins_are_throttled(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    email = accounts["teacher"].email
    statuses = [_login(client, email, "wrong-password-123").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    locked = _login(client, email)  # even the right password waits out the lockout
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0

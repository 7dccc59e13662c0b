"""Route × role matrix for the foundation routes: the exact status for every caller kind."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, Account, auth_headers

WHO = ["anonymous", "student", "teacher", "admin", "deactivated"]


def _expect(
    anonymous: int, student: int, teacher: int, admin: int, deactivated: int
) -> list[tuple[str, int]]:
    return list(zip(WHO, [anonymous, student, teacher, admin, deactivated], strict=True))


ROUTES: list[tuple[str, str, dict | None, list[tuple[str, int]]]] = [
    ("GET", "/api/auth/me", None, _expect(401, 200, 200, 200, 401)),
    (
        "POST",
        "/api/auth/register",
        {"email": "fresh@example.edu", "password": "p" * 12, "role": "student"},
        _expect(401, 403, 403, 201, 401),
    ),
    (
        "POST",
        "/api/auth/password",
        {"current_password": PASSWORD, "new_password": "n" * 12},
        _expect(401, 204, 204, 204, 401),
    ),
    ("GET", "/api/users", None, _expect(401, 403, 403, 200, 401)),
    ("GET", "/api/users/{other_student}", None, _expect(401, 403, 403, 200, 401)),
    ("PUT", "/api/users/{other_student}", {"is_active": True}, _expect(401, 403, 403, 200, 401)),
    ("DELETE", "/api/users/{other_student}", None, _expect(401, 403, 403, 204, 401)),
    # A teacher may reset only a student whose account they created (tests/api/test_passwords.py).
    (
        "POST",
        "/api/users/{other_student}/password-reset",
        None,
        _expect(401, 403, 403, 200, 401),
    ),
    ("GET", "/healthz", None, _expect(200, 200, 200, 200, 200)),
    ("GET", "/readyz", None, _expect(200, 200, 200, 200, 200)),
    # Not by role: by address or metrics token (tests/api/test_hostile_input.py).
    ("GET", "/metrics", None, _expect(403, 403, 403, 403, 403)),
    ("GET", "/openapi.json", None, _expect(200, 200, 200, 200, 200)),
]

CASES = [
    (method, path, body, who, status)
    for method, path, body, expected in ROUTES
    for who, status in expected
]


@pytest.mark.parametrize(
    ("method", "path", "body", "who", "status"),
    CASES,
    ids=[f"{c[0]} {c[1]} as {c[3]}" for c in CASES],
)
def test_route_role_matrix(
    client: TestClient,
    accounts: dict[str, Account],
    method: str,
    path: str,
    body: dict | None,
    who: str,
    status: int,
) -> None:
    url = path.format(**{k: a.id for k, a in accounts.items()})
    response = client.request(method, url, json=body, headers=auth_headers(accounts, who))
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.json()["error"]["code"]

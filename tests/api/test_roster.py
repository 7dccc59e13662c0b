"""Rosters: enrol by e-mail and CSV (accounts created with a temporary password), the class
table, a teacher's students, and the route × role matrix of the new routes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.workflow_support import make_assignment, random_id
from tests.conftest import Account, auth_headers

CSV = (
    "Name,Email\n"
    "Amy Archer,amy.archer@school.example.edu\n"
    "Ben Bright,ben.bright@school.example.edu\n"
    "No Mail,\n"
    "Bad Mail,not-an-address\n"
)


def _enrol_csv(client: TestClient, aid: str, headers: dict[str, str], data: str = CSV):
    return client.post(
        f"/api/assignments/{aid}/roster/csv",
        files={"file": ("roster.csv", data.encode(), "text/csv")},
        headers=headers,
    )


def test_csv_roster_creates_students_and_reports_bad_rows(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher)
    done = _enrol_csv(client, aid, teacher)
    assert done.status_code == 200, done.text
    body = done.json()
    assert [s["email"] for s in body["enrolled"]] == [
        "amy.archer@school.example.edu",
        "ben.bright@school.example.edu",
    ]
    assert [s["name"] for s in body["enrolled"]] == ["Amy Archer", "Ben Bright"]
    assert len(body["created"]) == 2
    assert all(len(c["temporary_password"]) >= 12 for c in body["created"])
    assert [e["row"] for e in body["errors"]] == [4, 5]
    # The new student signs in with the temporary password.
    amy = body["created"][0]
    login = client.post(
        "/api/auth/login", json={"email": amy["email"], "password": amy["temporary_password"]}
    )
    assert login.status_code == 200 and login.json()["role"] == "student"
    # Enrolling again creates nothing and says they are already on the roster.
    again = _enrol_csv(client, aid, teacher).json()
    assert again["created"] == [] and len(again["already"]) == 2


def test_enrol_by_email_refuses_staff_accounts_and_keeps_the_rest(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher)
    body = {
        "students": [
            {"email": accounts["student"].email, "name": "Sam Student"},
            {"email": accounts["other_teacher"].email},
        ]
    }
    done = client.post(f"/api/assignments/{aid}/roster", json=body, headers=teacher).json()
    assert [s["email"] for s in done["enrolled"]] == [accounts["student"].email]
    assert done["created"] == []
    assert done["errors"][0]["email"] == accounts["other_teacher"].email


def test_class_table_lists_the_roster_and_who_has_not_submitted(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher)
    client.post(
        f"/api/assignments/{aid}/roster",
        json={"students": [{"email": accounts["student"].email, "name": "Sam"}]},
        headers=teacher,
    )
    table = client.get(f"/api/assignments/{aid}/roster", headers=teacher).json()
    assert table["total"] == 1
    row = table["items"][0]
    assert row["name"] == "Sam" and row["enrolled"] and row["submission"] is None
    students = client.get("/api/students", headers=teacher).json()
    assert [s["email"] for s in students["items"]] == [accounts["student"].email]
    assert students["items"][0]["assignment_ids"] == [aid]
    # Another teacher does not see them.
    theirs = client.get("/api/students", headers=accounts["other_teacher"].headers).json()
    assert theirs["items"] == []
    # Unenrol.
    sid = row["student_id"]
    assert client.delete(f"/api/assignments/{aid}/roster/{sid}", headers=teacher).status_code == 204
    assert client.get(f"/api/assignments/{aid}/roster", headers=teacher).json()["total"] == 0


WHO = ["anonymous", "student", "teacher", "other_teacher", "admin", "deactivated"]


def _expect(*codes: int) -> list[tuple[str, int]]:
    return list(zip(WHO, codes, strict=True))


MATRIX = [
    ("GET", "/api/assignments/{aid}/roster", None, _expect(401, 403, 200, 404, 200, 401)),
    (
        "POST",
        "/api/assignments/{aid}/roster",
        {"students": [{"email": "new.student@school.example.edu"}]},
        _expect(401, 403, 200, 404, 200, 401),
    ),
    (
        "DELETE",
        "/api/assignments/{aid}/roster/{student}",
        None,
        _expect(401, 403, 204, 404, 204, 401),
    ),
    ("GET", "/api/students", None, _expect(401, 403, 200, 200, 200, 401)),
]
CASES = [(m, p, b, who, code) for m, p, b, expected in MATRIX for who, code in expected]


@pytest.mark.parametrize(
    ("method", "path", "body", "who", "status"),
    CASES,
    ids=[f"{c[0]} {c[1]} as {c[3]}" for c in CASES],
)
def test_roster_route_role_matrix(
    client: TestClient,
    accounts: dict[str, Account],
    method: str,
    path: str,
    body: dict | None,
    who: str,
    status: int,
) -> None:
    aid = make_assignment(client, accounts["teacher"].headers)
    client.post(
        f"/api/assignments/{aid}/roster",
        json={"students": [{"email": accounts["student"].email}]},
        headers=accounts["teacher"].headers,
    )
    url = path.format(aid=aid, student=accounts["student"].id)
    response = client.request(method, url, json=body, headers=auth_headers(accounts, who))
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.json()["error"]["code"]


@pytest.mark.parametrize("who", WHO)
def test_csv_route_role_matrix(client: TestClient, accounts: dict[str, Account], who: str) -> None:
    aid = make_assignment(client, accounts["teacher"].headers)
    expected = dict(_expect(401, 403, 200, 404, 200, 401))[who]
    response = _enrol_csv(client, aid, auth_headers(accounts, who))
    assert response.status_code == expected, response.text


def test_unknown_assignment_is_404(client: TestClient, accounts: dict[str, Account]) -> None:
    url = f"/api/assignments/{random_id()}/roster"
    response = client.get(url, headers=accounts["admin"].headers)
    assert response.status_code == 404


def test_a_roster_keeps_an_assignment_to_its_students(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    rostered = make_assignment(client, teacher)
    open_to_all = make_assignment(client, teacher, title="Open to everyone")
    client.post(
        f"/api/assignments/{rostered}/roster",
        json={"students": [{"email": accounts["student"].email}]},
        headers=teacher,
    )

    def visible(who: str) -> set[str]:
        page = client.get("/api/assignments", headers=accounts[who].headers).json()
        return {a["assignmentId"] for a in page["items"]}

    assert {rostered, open_to_all} <= visible("student")
    assert open_to_all in visible("other_student") and rostered not in visible("other_student")
    other = accounts["other_student"].headers
    assert client.get(f"/api/assignments/{rostered}", headers=other).status_code == 404
    refused = client.post(f"/api/assignments/{rostered}/submit", json={"text": "x"}, headers=other)
    assert refused.status_code == 404

"""Assignments: create/validate params, who lists and reads what, update, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.workflow_support import (
    PROMPT,
    engine_ready,  # noqa: F401 - fixture
    make_assignment,
    submit,
)
from tests.conftest import Account


def _ids(response: Any) -> set[str]:
    return {item["assignmentId"] for item in response.json()["items"]}


def test_create_returns_201_with_id_and_reads_back(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    due = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    response = client.post(
        "/api/assignments",
        headers=teacher,
        json={
            "title": "  Gardens  ",
            "prompt_id": "P001",
            "prompt_text": PROMPT,
            "due_at": due.isoformat(),
            "params": {
                "mode": "async",
                "similarity_flag_pct": 25,
                "future_scoring": True,
                "rubric": "t2",
            },
        },
    )
    assert response.status_code == 201
    aid = response.json()["assignmentId"]
    got = client.get(f"/api/assignments/{aid}", headers=teacher).json()
    assert got["title"] == "Gardens"
    assert got["prompt_id"] == "P001" and got["prompt_text"] == PROMPT
    assert datetime.fromisoformat(got["due_at"]) == due
    assert got["params"] == {
        "mode": "async",
        "similarity_flag_pct": 25.0,
        "future_scoring": True,
        "rubric": "t2",
    }
    assert got["is_open"] is True and got["owner_id"] == str(accounts["teacher"].id)


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "   "},
        {},
        {"title": "x", "params": {"mode": "later"}},
        {"title": "x", "params": {"similarity_flag_pct": 140}},
        {"title": "x", "params": {"colour": "blue"}},
        {"title": "x", "params": {"rubric": "unknown-rubric"}},
        {"title": "x", "params": {"rubric": {"criteria": []}}},
        {"title": "x", "params": {"rubric": {"criteria": [{"name": "Voice"}, {"name": "voice"}]}}},
        {"title": "x", "due_at": "next tuesday"},
    ],
    ids=[
        "empty-title",
        "blank-title",
        "no-title",
        "bad-mode",
        "pct-over-100",
        "unknown-param",
        "unknown-rubric",
        "empty-rubric",
        "duplicate-criteria",
        "bad-date",
    ],
)
def test_invalid_bodies_are_422(
    client: TestClient, accounts: dict[str, Account], body: dict[str, Any]
) -> None:
    response = client.post("/api/assignments", json=body, headers=accounts["teacher"].headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


def test_custom_rubric_is_stored_and_named_to_students(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    rubric = {
        "criteria": [{"name": "Argument", "description": "a clear claim"}, {"name": "Evidence"}]
    }
    aid = make_assignment(client, accounts["teacher"].headers, params={"rubric": rubric})
    staff = client.get(f"/api/assignments/{aid}", headers=accounts["teacher"].headers).json()
    assert [c["name"] for c in staff["params"]["rubric"]["criteria"]] == ["Argument", "Evidence"]
    student = client.get(f"/api/assignments/{aid}", headers=accounts["student"].headers).json()
    assert student["rubric_criteria"] == ["Argument", "Evidence"]
    assert "params" not in student and "owner_id" not in student


def test_who_lists_what(client: TestClient, accounts: dict[str, Account]) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    mine = make_assignment(client, accounts["teacher"].headers)
    closed = make_assignment(client, accounts["teacher"].headers, due_at=past)
    theirs = make_assignment(client, accounts["other_teacher"].headers)
    assert _ids(client.get("/api/assignments", headers=accounts["teacher"].headers)) == {
        mine,
        closed,
    }
    assert _ids(client.get("/api/assignments", headers=accounts["other_teacher"].headers)) == {
        theirs
    }
    assert _ids(client.get("/api/assignments", headers=accounts["admin"].headers)) == {
        mine,
        closed,
        theirs,
    }
    # Students: open ones only (past due are hidden, and 404 by id).
    assert _ids(client.get("/api/assignments", headers=accounts["student"].headers)) == {
        mine,
        theirs,
    }
    assert (
        client.get(f"/api/assignments/{closed}", headers=accounts["student"].headers).status_code
        == 404
    )


@pytest.mark.usefixtures("engine_ready")
def test_a_student_keeps_seeing_a_closed_assignment_they_submitted_to(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher, student = accounts["teacher"].headers, accounts["student"].headers
    aid = make_assignment(client, teacher)
    sid = submit(client, student, aid)["submissionId"]
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert (
        client.put(f"/api/assignments/{aid}", json={"due_at": past}, headers=teacher).status_code
        == 200
    )
    listed = client.get("/api/assignments", headers=student).json()["items"]
    assert [(i["assignmentId"], i["submissionId"], i["is_open"]) for i in listed] == [
        (aid, sid, False)
    ]
    late = client.post(
        f"/api/submissions/{sid}/resubmit", json={"text": "x " * 50}, headers=student
    )
    assert late.status_code == 409
    assert _ids(client.get("/api/assignments", headers=accounts["other_student"].headers)) == set()


def test_pagination(client: TestClient, accounts: dict[str, Account]) -> None:
    for i in range(5):
        make_assignment(client, accounts["teacher"].headers, title=f"A{i}")
    page = client.get(
        "/api/assignments?limit=2&offset=1", headers=accounts["teacher"].headers
    ).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 1
    assert [i["title"] for i in page["items"]] == ["A3", "A2"]  # newest first
    assert (
        client.get("/api/assignments?limit=0", headers=accounts["teacher"].headers).status_code
        == 422
    )


def test_put_changes_only_the_fields_sent(client: TestClient, accounts: dict[str, Account]) -> None:
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher, params={"mode": "async"})
    response = client.put(
        f"/api/assignments/{aid}",
        headers=teacher,
        json={"title": "New title", "params": {"future_scoring": True}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "New title" and body["prompt_text"] == PROMPT
    assert body["params"] == {"mode": "sync", "future_scoring": True}
    assert (
        client.put(f"/api/assignments/{aid}", json={"title": ""}, headers=teacher).status_code
        == 422
    )
    assert (
        client.put(
            f"/api/assignments/{aid}", json={"params": {"mode": "x"}}, headers=teacher
        ).status_code
        == 422
    )
    admin = client.put(
        f"/api/assignments/{aid}", json={"prompt_id": "P002"}, headers=accounts["admin"].headers
    )
    assert admin.status_code == 200 and admin.json()["prompt_id"] == "P002"


@pytest.mark.usefixtures("engine_ready")
def test_delete_removes_its_submissions_and_is_audited(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher)
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    assert client.delete(f"/api/assignments/{aid}", headers=teacher).status_code == 204
    assert client.get(f"/api/assignments/{aid}", headers=teacher).status_code == 404
    assert (
        client.get(f"/api/submissions/{sid}", headers=accounts["admin"].headers).status_code == 404
    )
    events = client.get(
        "/api/audit?action=assignment.delete", headers=accounts["admin"].headers
    ).json()["items"]
    assert [(e["resource_id"], e["actor_id"], e["details"]["submissions"]) for e in events] == [
        (aid, str(accounts["teacher"].id), 1)
    ]


def test_saving_a_custom_rubric_says_how_each_criterion_is_scored(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    """#20: custom criteria came back blank and the reason was only in /llm/rubric-score."""
    rubric = {
        "criteria": [
            {"name": "Counterargument"},
            {"name": "Personal voice"},
            {"name": "Hand-drawn diagrams", "description": "Quality of the sketches"},
        ]
    }
    headers = accounts["teacher"].headers
    body = {"title": "Gardens", "prompt_text": "Should towns fund gardens?",
            "params": {"rubric": rubric}}  # fmt: skip
    created = client.post("/api/assignments", json=body, headers=headers)
    assert created.status_code == 201, created.text
    check = {c["name"]: c for c in created.json()["rubric_check"]}
    assert check["Counterargument"]["scorable"] and check["Personal voice"]["scorable"]
    assert not check["Hand-drawn diagrams"]["scorable"]
    assert "cannot see" in check["Hand-drawn diagrams"]["how"]
    aid = created.json()["assignmentId"]
    staff = client.get(f"/api/assignments/{aid}", headers=headers).json()
    assert [c["name"] for c in staff["rubric_check"]] == list(check)
    student = client.get(f"/api/assignments/{aid}", headers=accounts["student"].headers).json()
    assert "rubric_check" not in student

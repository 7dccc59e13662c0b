"""Route × role × ownership matrix over every assignment/submission/audit route, and the
§11.6 rule that no teacher-only field ever reaches a student (JSON, lists, PDF, zip)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.workflow_support import (
    ESSAY_V2,
    assert_no_leak,
    assert_pdf_has_no_leak,
    engine_ready,  # noqa: F401 - fixture
    evaluation_json,
    make_assignment,
    pdf_text,
    submit,
    zip_members,
)
from tests.conftest import Account, auth_headers

WHO = ("anonymous", "student", "other_student", "teacher", "other_teacher", "admin", "deactivated")


@dataclass
class World:
    assignment_id: str
    submission_id: str
    accounts: dict[str, Account]


@pytest.fixture
def world(
    client: TestClient, accounts: dict[str, Account], request: pytest.FixtureRequest
) -> World:
    """The teacher's assignment (future_scoring on: the most teacher-only data there is) with
    one evaluated submission by `student`."""
    request.getfixturevalue("engine_ready")
    aid = make_assignment(client, accounts["teacher"].headers, params={"future_scoring": True})
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    return World(aid, sid, accounts)


def _row(method: str, path: str, codes: tuple[int, ...]) -> list[tuple[str, str, str, int]]:
    """codes per caller kind, in WHO order."""
    return [(method, path, who, code) for who, code in zip(WHO, codes, strict=True)]


#   anonymous, student, other_student, teacher, other_teacher, admin, deactivated
MATRIX = [
    *_row("POST", "/api/assignments", (401, 403, 403, 201, 201, 201, 401)),
    *_row("GET", "/api/assignments", (401, 200, 200, 200, 200, 200, 401)),
    *_row("GET", "/api/assignments/{a}", (401, 200, 200, 200, 404, 200, 401)),
    *_row("PUT", "/api/assignments/{a}", (401, 403, 403, 200, 404, 200, 401)),
    *_row("DELETE", "/api/assignments/{a}", (401, 403, 403, 204, 404, 204, 401)),
    # student already has a submission → 409; staff submit for other_student
    *_row("POST", "/api/assignments/{a}/submit", (401, 409, 200, 200, 404, 200, 401)),
    *_row("GET", "/api/assignments/{a}/submissions", (401, 403, 403, 200, 404, 200, 401)),
    *_row("GET", "/api/submissions", (401, 200, 200, 200, 200, 200, 401)),
    *_row("GET", "/api/submissions/{s}", (401, 200, 404, 200, 404, 200, 401)),
    *_row("GET", "/api/submissions/{s}/versions/v1", (401, 200, 404, 200, 404, 200, 401)),
    *_row("POST", "/api/submissions/{s}/resubmit", (401, 200, 404, 200, 404, 200, 401)),
    *_row("PATCH", "/api/submissions/{s}/status", (401, 403, 403, 200, 404, 200, 401)),
    *_row("POST", "/api/submissions/{s}/evaluate", (401, 403, 403, 200, 404, 200, 401)),
    *_row("PUT", "/api/submissions/{s}/teacher-scores", (401, 403, 403, 200, 404, 200, 401)),
    *_row("DELETE", "/api/submissions/{s}/teacher-scores", (401, 403, 403, 200, 404, 200, 401)),
    *_row("GET", "/api/assignments/{a}/calibration", (401, 403, 403, 200, 404, 200, 401)),
    *_row("GET", "/api/submissions/{s}/download?format=pdf", (401, 200, 404, 200, 404, 200, 401)),
    *_row("GET", "/api/submissions/{s}/download?format=zip", (401, 200, 404, 200, 404, 200, 401)),
    *_row("DELETE", "/api/submissions/{s}", (401, 403, 403, 204, 404, 204, 401)),
    *_row("GET", "/api/audit", (401, 403, 403, 403, 403, 200, 401)),
]


def _body(method: str, path: str, who: str, world: World) -> dict[str, Any] | None:
    if path == "/api/assignments" and method == "POST":
        return {"title": "Another one"}
    if path.endswith("/teacher-scores") and method == "PUT":
        return {"scores": {"Structure": "Good", "overall": 0.6}}
    if method == "PUT":
        return {"title": "Renamed"}
    if path.endswith("/submit"):
        body: dict[str, Any] = {"text": ESSAY_V2}
        if who in ("teacher", "other_teacher", "admin", "deactivated"):
            body["student_id"] = str(world.accounts["other_student"].id)
        return body
    if path.endswith("/resubmit"):
        return {"text": ESSAY_V2}
    if path.endswith("/status"):
        return {"status": "reviewed", "note": "checked in class"}
    return None


@pytest.mark.parametrize(
    ("method", "path", "who", "expected"), MATRIX, ids=[f"{m} {p} {w}" for m, p, w, _ in MATRIX]
)
def test_route_role_matrix(
    client: TestClient, world: World, method: str, path: str, who: str, expected: int
) -> None:
    url = path.format(a=world.assignment_id, s=world.submission_id)
    response = client.request(
        method, url, json=_body(method, path, who, world), headers=auth_headers(world.accounts, who)
    )
    assert response.status_code == expected, response.text
    if who in ("student", "other_student") and response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        assert_no_leak(response.json(), f"{method} {path}")


def test_unknown_ids_are_404_for_staff(client: TestClient, accounts: dict[str, Account]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    headers = accounts["admin"].headers
    for method, url in (
        ("GET", f"/api/assignments/{missing}"),
        ("GET", f"/api/submissions/{missing}"),
        ("GET", f"/api/assignments/{missing}/submissions"),
        ("PATCH", f"/api/submissions/{missing}/status"),
        ("POST", f"/api/submissions/{missing}/evaluate"),
        ("DELETE", f"/api/submissions/{missing}"),
        ("PUT", f"/api/submissions/{missing}/teacher-scores"),
        ("DELETE", f"/api/submissions/{missing}/teacher-scores"),
        ("GET", f"/api/assignments/{missing}/calibration"),
    ):
        body: dict[str, Any] | None = {"status": "reviewed"} if method == "PATCH" else None
        if method == "PUT":
            body = {"scores": {"overall": 0.5}}
        assert client.request(method, url, json=body, headers=headers).status_code == 404


def test_nothing_teacher_only_reaches_a_student(client: TestClient, world: World) -> None:
    student = world.accounts["student"].headers
    teacher = world.accounts["teacher"].headers
    s, a = world.submission_id, world.assignment_id
    # The teacher does see the teacher-only data (so the student checks below can fail).
    full = client.get(f"/api/submissions/{s}", headers=teacher).json()
    assert {"classification", "ai_score", "similarity", "highlights"} <= set(full["evaluation"])
    assert full["evaluation_details"]["rubric"][0]["evidence"] is not None
    graded = client.put(
        f"/api/submissions/{s}/teacher-scores", json={"scores": {"overall": 0.7}}, headers=teacher
    )
    assert graded.status_code == 200
    assert client.get(f"/api/submissions/{s}", headers=teacher).json()["teacher_scores"] == {
        "overall": 0.7
    }

    resubmitted = client.post(
        f"/api/submissions/{s}/resubmit", json={"text": ESSAY_V2}, headers=student
    )
    assert resubmitted.status_code == 200
    assert_no_leak(resubmitted.json(), "resubmit")
    assert set(resubmitted.json()["evaluation"]) == {"rubric", "feedback"}
    package = client.get(f"/api/submissions/{s}", headers=student).json()
    assert_no_leak(package, "GET submission")
    assert [v["version"] for v in package["versions"]] == ["v1", "v2"]
    assert package["evaluation"]["feedback"]
    assert set(package["evaluation"]["rubric"]) == {
        "Structure",
        "Clarity",
        "Relevance",
        "AcademicWriting",
    }
    assert "status" not in package and "status_note" not in package
    for url in (
        "/api/submissions",
        f"/api/submissions/{s}/versions/v1",
        "/api/assignments",
        f"/api/assignments/{a}",
    ):
        response = client.get(url, headers=student)
        assert response.status_code == 200, url
        assert_no_leak(response.json(), url)
    # Students may not use filters that would reveal a label or flag.
    for query in ("label=AI", "flagged=true", "status=reviewed"):
        assert client.get(f"/api/submissions?{query}", headers=student).status_code == 403


def test_student_reports_carry_no_teacher_only_data(client: TestClient, world: World) -> None:
    student = world.accounts["student"].headers
    teacher = world.accounts["teacher"].headers
    s = world.submission_id
    label = client.get(f"/api/submissions/{s}", headers=teacher).json()["evaluation"][
        "classification"
    ]["label"]
    teacher_pdf = client.get(f"/api/submissions/{s}/download?format=pdf", headers=teacher)
    assert label in pdf_text(teacher_pdf.content)  # the check below is meaningful

    pdf = client.get(f"/api/submissions/{s}/download?format=pdf", headers=student)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert_pdf_has_no_leak(pdf.content, "student PDF")
    archive = client.get(f"/api/submissions/{s}/download?format=zip", headers=student)
    assert archive.status_code == 200
    members = zip_members(archive.content)
    assert_no_leak(evaluation_json(members), "student zip evaluation.json")
    pdf_member = next(n for n in members if n.endswith(".pdf"))
    assert_pdf_has_no_leak(members[pdf_member], "student zip PDF")


@pytest.mark.usefixtures("engine_ready")
def test_future_scoring_off_gives_teachers_exactly_the_t2_fields(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher, params={"future_scoring": False})
    body = submit(client, teacher, aid, student_id=str(accounts["student"].id))
    assert set(body["evaluation"]) == {"classification", "rubric", "feedback"}
    assert set(body["evaluation"]["classification"]) == {"label", "confidence"}
    assert body["evaluation"]["classification"]["label"] in ("Human", "AI", "Hybrid")
    assert 0.0 <= body["evaluation"]["classification"]["confidence"] <= 1.0
    assert isinstance(body["evaluation"]["feedback"], str)
    assert body["version"] == "v1"
    package = client.get(f"/api/submissions/{body['submissionId']}", headers=teacher).json()
    assert set(package["evaluation"]) == {"classification", "rubric", "feedback"}
    for version in package["versions"]:
        assert set(version["evaluation"]) == {"classification", "rubric", "feedback"}
    rows = client.get(f"/api/assignments/{aid}/submissions", headers=teacher).json()["items"]
    assert "flagged" not in rows[0]


@pytest.mark.usefixtures("engine_ready")
def test_instance_default_turns_future_scoring_on(
    client: TestClient, settings: Any, accounts: dict[str, Account]
) -> None:
    settings.future_scoring = True
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher)
    body = submit(client, teacher, aid, student_id=str(accounts["student"].id))
    assert {"ai_score", "similarity", "highlights"} <= set(body["evaluation"])
    student_view = submit(client, accounts["other_student"].headers, aid)
    assert set(student_view["evaluation"]) == {"rubric", "feedback"}

"""A teacher's grades calibrate the built-in rubric scores of their assignment."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aaie.db.models import Role
from aaie.engine.rubric.calibration import MIN_GRADED
from tests.api.workflow_support import (
    ESSAY,
    assert_no_leak,
    engine_ready,  # noqa: F401 - fixture
    essay_variant,
    make_assignment,
    submit,
)
from tests.conftest import Account, make_account

pytestmark = pytest.mark.usefixtures("engine_ready")
SHIFT = 0.15  # this teacher grades every essay 0.15 above the built-in Structure score


def submit_for_new_student(
    client: TestClient, app: FastAPI, teacher: Account, aid: str, text: str
) -> tuple[str, Account]:
    student = make_account(app, Role.student)
    body = submit(client, teacher.headers, aid, text=text, student_id=str(student.id))
    return str(body["submissionId"]), student


def details(client: TestClient, teacher: Account, sid: str) -> dict[str, Any]:
    package = client.get(f"/api/submissions/{sid}", headers=teacher.headers).json()
    return dict(package["evaluation_details"])


def structure(evaluation_details: dict[str, Any]) -> float:
    return float(next(c for c in evaluation_details["rubric"] if c["name"] == "Structure")["score"])


def grade(client: TestClient, teacher: Account, sid: str, scores: dict[str, Any]) -> Any:
    return client.put(
        f"/api/submissions/{sid}/teacher-scores", json={"scores": scores}, headers=teacher.headers
    )


def graded_assignment(
    client: TestClient, app: FastAPI, teacher: Account, graded: int, **params: Any
) -> tuple[str, list[str]]:
    """An assignment with `graded` essays whose Structure the teacher graded SHIFT higher."""
    aid = make_assignment(client, teacher.headers, params=params)
    sids = []
    for i in range(graded):
        sid, _ = submit_for_new_student(client, app, teacher, aid, essay_variant(i))
        raw = structure(details(client, teacher, sid))
        assert grade(client, teacher, sid, {"Structure": round(raw + SHIFT, 4)}).status_code == 200
        sids.append(sid)
    return aid, sids


def test_five_graded_essays_move_later_scores_onto_the_teachers_scale(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid, _ = graded_assignment(client, app, teacher, MIN_GRADED)
    sid, student = submit_for_new_student(client, app, teacher, aid, ESSAY)

    seen = details(client, teacher, sid)
    calibration = seen["rubric_overall"]["calibration"]
    assert calibration["graded_essays"] == MIN_GRADED
    raw = calibration["raw_scores"]["Structure"]
    assert structure(seen) == pytest.approx(min(1.0, raw + SHIFT), abs=1e-3)
    structure_row = next(c for c in seen["rubric"] if c["name"] == "Structure")
    assert "teacher's grading of 5 essays" in structure_row["evidence"][0]
    # Criteria the teacher did not grade keep the built-in score.
    clarity = next(c for c in seen["rubric"] if c["name"] == "Clarity")
    assert clarity["score"] == pytest.approx(calibration["raw_scores"]["Clarity"])

    report = client.get(f"/api/assignments/{aid}/calibration", headers=teacher.headers).json()
    row = next(c for c in report["criteria"] if c["name"] == "Structure")
    assert row["active"] and row["graded"] == MIN_GRADED
    assert row["mean_gap_before"] == pytest.approx(SHIFT, abs=1e-3)
    assert row["mean_gap_after"] < 0.01
    assert not next(c for c in report["criteria"] if c["name"] == "Clarity")["active"]

    # The student sees the calibrated label, but neither grades nor the calibration.
    mine = client.get(f"/api/submissions/{sid}", headers=student.headers).json()
    assert_no_leak(mine, "student package")
    assert "calibration" not in str(mine) and "teacher_scores" not in mine


def test_fewer_than_five_graded_essays_change_nothing(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid, _ = graded_assignment(client, app, teacher, MIN_GRADED - 1)
    sid, _ = submit_for_new_student(client, app, teacher, aid, ESSAY)
    assert details(client, teacher, sid)["rubric_overall"]["calibration"] is None
    report = client.get(f"/api/assignments/{aid}/calibration", headers=teacher.headers).json()
    assert report["graded_essays"] == MIN_GRADED - 1
    assert not any(c["active"] for c in report["criteria"])


def test_an_essays_own_grade_never_calibrates_its_own_score(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    _, sids = graded_assignment(client, app, teacher, MIN_GRADED)
    # Re-evaluated, a graded essay is calibrated on the other four only: not enough.
    response = client.post(f"/api/submissions/{sids[0]}/evaluate", headers=teacher.headers)
    assert response.status_code == 200, response.text
    assert details(client, teacher, sids[0])["rubric_overall"]["calibration"] is None


def test_an_assignment_can_turn_calibration_off(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid, _ = graded_assignment(client, app, teacher, MIN_GRADED, calibrate_rubric=False)
    sid, _ = submit_for_new_student(client, app, teacher, aid, ESSAY)
    assert details(client, teacher, sid)["rubric_overall"]["calibration"] is None
    report = client.get(f"/api/assignments/{aid}/calibration", headers=teacher.headers).json()
    assert report["enabled"] is False


def test_withdrawn_grades_leave_the_calibration(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid, sids = graded_assignment(client, app, teacher, MIN_GRADED)
    cleared = client.delete(f"/api/submissions/{sids[0]}/teacher-scores", headers=teacher.headers)
    assert cleared.status_code == 200 and cleared.json()["teacher_scores"] is None
    report = client.get(f"/api/assignments/{aid}/calibration", headers=teacher.headers).json()
    assert report["graded_essays"] == MIN_GRADED - 1


def test_band_labels_and_custom_criteria_are_accepted(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    rubric = {"criteria": [{"name": "Argument"}, {"name": "Spelling"}]}
    aid = make_assignment(client, teacher.headers, params={"rubric": rubric})
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    response = grade(client, teacher, sid, {"Argument": "Good", "Spelling": 0.3, "overall": 0.5})
    assert response.status_code == 200, response.text
    assert response.json()["teacher_scores"] == {"Argument": 0.625, "Spelling": 0.3, "overall": 0.5}
    assert response.json()["teacher_scores_by"] == str(teacher.id)


@pytest.mark.parametrize(
    ("scores", "needle"),
    [
        ({"Structure": 1.5}, "between 0 and 1"),
        ({"Structure": -0.1}, "between 0 and 1"),
        ({"Structure": "Great"}, "scores"),
        ({"Originality": 0.5}, "Originality"),
        ({}, "scores"),
    ],
)
def test_bad_grades_are_422_and_keep_the_stored_ones(
    client: TestClient, accounts: dict[str, Account], scores: dict[str, Any], needle: str
) -> None:
    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers)
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    assert grade(client, teacher, sid, {"overall": 0.4}).status_code == 200
    response = grade(client, teacher, sid, scores)
    assert response.status_code == 422, response.text
    assert needle in response.text
    package = client.get(f"/api/submissions/{sid}", headers=teacher.headers).json()
    assert package["teacher_scores"] == {"overall": 0.4}


def test_grades_stay_with_the_version_they_were_given_for(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid, sids = graded_assignment(client, app, teacher, MIN_GRADED)
    package = client.get(f"/api/submissions/{sids[0]}", headers=teacher.headers).json()
    assert package["teacher_scores_version"] == 1
    resubmitted = client.post(
        f"/api/submissions/{sids[0]}/resubmit",
        json={"text": essay_variant(MIN_GRADED + 2)},
        headers=teacher.headers,
    )
    assert resubmitted.status_code == 200, resubmitted.text
    assert structure(details(client, teacher, sids[0])) != structure(
        {"rubric": package["evaluation_details"]["rubric"]}
    )  # the new version scores differently, so the check below can fail
    report = client.get(f"/api/assignments/{aid}/calibration", headers=teacher.headers).json()
    row = next(c for c in report["criteria"] if c["name"] == "Structure")
    assert row["graded"] == MIN_GRADED
    assert row["mean_gap_before"] == pytest.approx(SHIFT, abs=1e-3)  # still version 1's score

"""Submit, resubmit, read, list, status, download and delete, with the real engine."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from aaie.config import Settings
from tests.api.workflow_support import (
    ESSAY,
    ESSAY_V2,
    PROMPT,
    engine_ready,  # noqa: F401 - fixture
    evaluation_json,
    make_assignment,
    pdf_text,
    random_id,
    submit,
    zip_members,
)
from tests.conftest import Account

pytestmark = pytest.mark.usefixtures("engine_ready")
CRITERIA = {"Structure", "Clarity", "Relevance", "AcademicWriting"}


def _get(client: TestClient, sid: str, who: Account) -> dict[str, Any]:
    response = client.get(f"/api/submissions/{sid}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _wait_done(client: TestClient, sid: str, who: Account, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        package = _get(client, sid, who)
        if package["evaluation_status"] in ("done", "failed"):
            return package
        time.sleep(0.05)
    raise AssertionError("the queued evaluation did not finish")


def test_sync_submit_returns_the_t2_body(client: TestClient, accounts: dict[str, Account]) -> None:
    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers)
    body = submit(client, teacher.headers, aid, student_id=str(accounts["student"].id))
    assert body["version"] == "v1" and body["evaluation_status"] == "done"
    evaluation = body["evaluation"]
    assert evaluation["classification"]["label"] in ("Human", "AI", "Hybrid")
    assert set(evaluation["rubric"]) == CRITERIA
    assert set(evaluation["rubric"].values()) <= {"Excellent", "Good", "Fair", "Poor"}
    assert isinstance(evaluation["feedback"], str) and evaluation["feedback"]
    package = _get(client, body["submissionId"], teacher)
    assert package["text"] == ESSAY and package["prompt_text"] == PROMPT  # assignment's prompt
    assert package["student_id"] == str(accounts["student"].id)
    assert package["status"] == "submitted" and package["file"] is None
    assert package["created_at"].endswith("+00:00")


def test_student_submits_their_own_work(client: TestClient, accounts: dict[str, Account]) -> None:
    student = accounts["student"]
    aid = make_assignment(client, accounts["teacher"].headers)
    body = submit(
        client,
        student.headers,
        aid,
        student_id=str(student.id),
        prompt_text="My own framing of the question about gardens.",
    )
    assert set(body["evaluation"]) == {"rubric", "feedback"}
    package = _get(client, body["submissionId"], accounts["teacher"])
    assert package["prompt_text"] == "My own framing of the question about gardens."
    again = client.post(
        f"/api/assignments/{aid}/submit", json={"text": ESSAY}, headers=student.headers
    )
    assert again.status_code == 409
    assert again.json()["error"]["details"]["submissionId"] == body["submissionId"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"text": ESSAY, "file_ref": "00000000-0000-4000-8000-000000000000"}, 422),
        ({"text": "   "}, 422),
        ({"text": ESSAY, "chat_log": [{"role": "bot", "text": "hi"}]}, 422),
        ({"text": ESSAY, "chat_log": [{"role": "ai"}]}, 422),
        ({"text": ESSAY, "chat_log": "not a list"}, 422),
        ({"text": ESSAY, "extra": 1}, 422),
        ({"file_ref": "00000000-0000-4000-8000-000000000000"}, 404),
    ],
    ids=[
        "neither",
        "both",
        "blank",
        "bad-role",
        "no-text-in-turn",
        "chat-not-list",
        "unknown",
        "unknown-file",
    ],
)
def test_bad_submit_bodies(
    client: TestClient, accounts: dict[str, Account], body: dict[str, Any], status: int
) -> None:
    aid = make_assignment(client, accounts["teacher"].headers)
    response = client.post(
        f"/api/assignments/{aid}/submit", json=body, headers=accounts["student"].headers
    )
    assert response.status_code == status, response.text


def test_who_may_submit_for_whom(client: TestClient, accounts: dict[str, Account]) -> None:
    aid = make_assignment(client, accounts["teacher"].headers)
    url = f"/api/assignments/{aid}/submit"
    other = str(accounts["other_student"].id)
    assert (
        client.post(
            url, json={"text": ESSAY, "student_id": other}, headers=accounts["student"].headers
        ).status_code
        == 403
    )
    assert (
        client.post(url, json={"text": ESSAY}, headers=accounts["teacher"].headers).status_code
        == 422
    )
    assert (
        client.post(
            url,
            json={"text": ESSAY, "student_id": str(accounts["admin"].id)},
            headers=accounts["teacher"].headers,
        ).status_code
        == 422
    )
    assert (
        client.post(
            url,
            json={"text": ESSAY, "student_id": random_id()},
            headers=accounts["teacher"].headers,
        ).status_code
        == 422
    )


def test_text_over_the_limit_is_413(
    client: TestClient, settings: Settings, accounts: dict[str, Account]
) -> None:
    settings.max_text_chars = 1000
    aid = make_assignment(client, accounts["teacher"].headers)
    response = client.post(
        f"/api/assignments/{aid}/submit",
        json={"text": "word " * 300},
        headers=accounts["student"].headers,
    )
    assert response.status_code == 413
    assert response.json()["error"]["details"]["limit"] == 1000


def test_chat_log_is_used_as_evidence(client: TestClient, accounts: dict[str, Account]) -> None:
    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers, params={"future_scoring": True})
    pasted = ESSAY.split("\n\n")[1]
    chat = [
        {"role": "user", "text": "write a paragraph on why gardens help families"},
        {"role": "ai", "text": pasted},
    ]
    body = submit(
        client, teacher.headers, aid, student_id=str(accounts["student"].id), chat_log=chat
    )
    similarity = body["evaluation"]["similarity"]
    assert similarity["chat_pct"] > 0
    assert any(s["kind"] == "chat_overlap" for s in body["evaluation"]["highlights"]["spans"])
    assert _get(client, body["submissionId"], teacher)["chat_log"] == chat


def test_similarity_threshold_comes_from_the_assignment(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid = make_assignment(
        client, teacher.headers, params={"future_scoring": True, "similarity_flag_pct": 1}
    )
    copied = PROMPT + " " + ESSAY
    body = submit(client, teacher.headers, aid, student_id=str(accounts["student"].id), text=copied)
    assert body["evaluation"]["similarity"]["threshold"] == 1
    assert body["evaluation"]["similarity"]["flag"] is True
    flagged = client.get(
        f"/api/assignments/{aid}/submissions?flagged=true", headers=teacher.headers
    ).json()
    assert flagged["total"] == 1 and flagged["items"][0]["flagged"] is True
    assert (
        client.get(
            f"/api/assignments/{aid}/submissions?flagged=false", headers=teacher.headers
        ).json()["total"]
        == 0
    )


def test_resubmit_keeps_the_id_and_every_version(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    student, teacher = accounts["student"], accounts["teacher"]
    aid = make_assignment(client, teacher.headers)
    sid = submit(client, student.headers, aid)["submissionId"]
    client.patch(
        f"/api/submissions/{sid}/status", json={"status": "reviewed"}, headers=teacher.headers
    )
    second = client.post(
        f"/api/submissions/{sid}/resubmit", json={"text": ESSAY_V2}, headers=student.headers
    )
    assert second.status_code == 200
    assert second.json()["submissionId"] == sid and second.json()["version"] == "v2"
    third = client.post(
        f"/api/submissions/{sid}/resubmit",
        json={"text": ESSAY, "student_id": str(student.id)},
        headers=teacher.headers,
    )
    assert third.json()["version"] == "v3"
    package = _get(client, sid, teacher)
    assert package["version"] == "v3" and package["current_version"] == 3
    assert package["status"] == "submitted"  # a new version goes back to the teacher's queue
    texts = [(v["version"], v["text"]) for v in package["versions"]]
    assert texts == [("v1", ESSAY), ("v2", ESSAY_V2), ("v3", ESSAY)]
    assert all(v["evaluation"]["classification"]["label"] for v in package["versions"])
    one = client.get(f"/api/submissions/{sid}/versions/v2", headers=student.headers)
    assert one.status_code == 200 and one.json()["text"] == ESSAY_V2
    assert (
        client.get(f"/api/submissions/{sid}/versions/9", headers=student.headers).status_code == 404
    )
    wrong = client.post(
        f"/api/submissions/{sid}/resubmit",
        json={"text": ESSAY, "student_id": str(accounts["other_student"].id)},
        headers=teacher.headers,
    )
    assert wrong.status_code == 422


def test_async_mode_queues_and_finishes(client: TestClient, accounts: dict[str, Account]) -> None:
    student = accounts["student"]
    aid = make_assignment(client, accounts["teacher"].headers, params={"mode": "async"})
    response = client.post(
        f"/api/assignments/{aid}/submit", json={"text": ESSAY}, headers=student.headers
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["version"] == "v1"
    package = _wait_done(client, body["submissionId"], student)
    assert package["evaluation_status"] == "done"
    assert set(package["evaluation"]) == {"rubric", "feedback"}
    again = client.post(
        f"/api/submissions/{body['submissionId']}/resubmit",
        json={"text": ESSAY_V2},
        headers=student.headers,
    )
    assert again.status_code == 202 and again.json()["version"] == "v2"
    assert _wait_done(client, body["submissionId"], student)["version"] == "v2"


def test_class_view_filters_and_pages(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    from tests.conftest import make_account

    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers)
    ids = []
    for _ in range(3):
        kid = make_account(app, accounts["student"].role)
        ids.append(submit(client, kid.headers, aid)["submissionId"])
    client.patch(
        f"/api/submissions/{ids[0]}/status",
        json={"status": "needs_follow_up"},
        headers=teacher.headers,
    )
    url = f"/api/assignments/{aid}/submissions"
    page = client.get(f"{url}?limit=2", headers=teacher.headers).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    follow = client.get(f"{url}?status=needs_follow_up", headers=teacher.headers).json()
    assert [i["submissionId"] for i in follow["items"]] == [ids[0]]
    label = follow["items"][0]["label"]
    assert label in ("Human", "AI", "Hybrid")
    same = client.get(f"{url}?label={label}", headers=teacher.headers).json()["total"]
    others = sum(
        client.get(f"{url}?label={x}", headers=teacher.headers).json()["total"]
        for x in ("Human", "AI", "Hybrid")
        if x != label
    )
    assert same + others == 3 and same >= 1
    assert client.get(f"{url}?label=Robot", headers=teacher.headers).status_code == 422
    assert client.get(f"{url}?status=lost", headers=teacher.headers).status_code == 422
    assert client.get(f"{url}?flagged=true", headers=teacher.headers).status_code == 422
    mine = client.get("/api/submissions", headers=teacher.headers).json()
    assert mine["total"] == 3
    assert (
        client.get("/api/submissions", headers=accounts["other_teacher"].headers).json()["total"]
        == 0
    )


def test_status_change_records_who_and_when(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher, admin = accounts["teacher"], accounts["admin"]
    aid = make_assignment(client, teacher.headers)
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    url = f"/api/submissions/{sid}/status"
    assert client.patch(url, json={"status": "graded"}, headers=teacher.headers).status_code == 422
    assert client.patch(url, json={}, headers=teacher.headers).status_code == 422
    response = client.patch(
        url, json={"status": "needs_follow_up", "note": "talk to them"}, headers=teacher.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "needs_follow_up" and body["status_by"] == str(teacher.id)
    assert body["status_at"] and body["status_note"] == "talk to them"
    assert _get(client, sid, teacher)["status"] == "needs_follow_up"
    events = client.get(
        f"/api/audit?resource_id={sid}&action=submission.status", headers=admin.headers
    ).json()["items"]
    assert [(e["actor_id"], e["details"]) for e in events] == [
        (str(teacher.id), {"from": "submitted", "to": "needs_follow_up"})
    ]
    assert events[0]["request_id"]


def test_file_ref_submission_and_delete_removes_everything(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    student, teacher, admin = accounts["student"], accounts["teacher"], accounts["admin"]
    upload = client.post(
        "/api/files",
        headers=student.headers,
        files={"file": ("essay.txt", ESSAY.encode(), "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    file_id = upload.json()["fileId"]
    aid = make_assignment(client, teacher.headers)
    other = client.post(
        f"/api/assignments/{aid}/submit",
        json={"file_ref": file_id},
        headers=accounts["other_student"].headers,
    )
    assert other.status_code == 404  # not their file
    body = client.post(
        f"/api/assignments/{aid}/submit", json={"file_ref": file_id}, headers=student.headers
    )
    assert body.status_code == 200, body.text
    sid = body.json()["submissionId"]
    package = _get(client, sid, teacher)
    assert package["file"]["fileId"] == file_id and package["file"]["filename"] == "essay.txt"
    assert package["text"].strip() == ESSAY.strip()
    # The teacher may now read the student's file (the files service asks us).
    assert client.get(f"/api/files/{file_id}", headers=teacher.headers).status_code == 200
    assert (
        client.get(f"/api/files/{file_id}", headers=accounts["other_teacher"].headers).status_code
        == 404
    )
    store_dir = app.state.aaie.settings.files_dir
    assert any(p.is_file() for p in store_dir.rglob("*"))

    assert client.delete(f"/api/submissions/{sid}", headers=teacher.headers).status_code == 204
    assert client.get(f"/api/submissions/{sid}", headers=admin.headers).status_code == 404
    assert client.get(f"/api/files/{file_id}", headers=admin.headers).status_code == 404
    assert not any(p.is_file() for p in store_dir.rglob("*"))
    events = client.get("/api/audit?action=submission.*", headers=admin.headers).json()["items"]
    deletion = next(e for e in events if e["action"] == "submission.delete")
    assert deletion["actor_id"] == str(teacher.id) and deletion["resource_id"] == sid
    assert "gardens" not in str(deletion["details"]).lower()  # the fact, not the content


def test_reports_download(client: TestClient, accounts: dict[str, Account]) -> None:
    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers, params={"future_scoring": True})
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    pdf = client.get(f"/api/submissions/{sid}/download", headers=teacher.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert "raised beds" in pdf_text(pdf.content)
    archive = client.get(f"/api/submissions/{sid}/download?format=zip", headers=teacher.headers)
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    members = zip_members(archive.content)
    assert evaluation_json(members)["submissionId"] == sid
    assert (
        client.get(
            f"/api/submissions/{sid}/download?format=docx", headers=teacher.headers
        ).status_code
        == 422
    )
    events = client.get(
        f"/api/audit?action=submission.download&resource_id={sid}",
        headers=accounts["admin"].headers,
    ).json()
    assert events["total"] == 2


def test_redact_stored_keeps_no_personal_data(
    client: TestClient, settings: Settings, accounts: dict[str, Account]
) -> None:
    settings.redact_stored = True
    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers)
    text = "My name is Mia Delgado and my email is mia.delgado@example.com.\n\n" + ESSAY
    sid = submit(client, accounts["student"].headers, aid, text=text)["submissionId"]
    package = _get(client, sid, teacher)
    assert "mia.delgado@example.com" not in package["text"]
    assert "Delgado" not in package["text"]
    assert package["versions"][0]["redacted"] is True


def test_submit_is_rate_limited(
    client: TestClient, settings: Settings, accounts: dict[str, Account]
) -> None:
    settings.rate_limit_per_minute = 1
    student = accounts["student"]
    aid = make_assignment(client, accounts["teacher"].headers)
    sid = submit(client, student.headers, aid)["submissionId"]
    limited = client.post(
        f"/api/submissions/{sid}/resubmit", json={"text": ESSAY_V2}, headers=student.headers
    )
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_deleting_a_submission_drops_its_cached_evaluation(
    app: FastAPI, client: TestClient, accounts: dict[str, Account]
) -> None:
    from sqlalchemy import select

    from aaie.db.models.submission import SubmissionVersion
    from aaie.engine.pipeline import CACHE

    teacher, student = accounts["teacher"], accounts["student"]
    aid = make_assignment(client, teacher.headers)
    sid = submit(client, student.headers, aid)["submissionId"]
    with app.state.aaie.sessions() as session:
        stored = session.scalars(select(SubmissionVersion.evaluation)).one()
    key = stored["cache_key"]
    assert CACHE.get(key) is not None
    assert client.delete(f"/api/submissions/{sid}", headers=teacher.headers).status_code == 204
    assert CACHE.get(key) is None


def test_teacher_reevaluates_a_failed_evaluation(
    client: TestClient, app: FastAPI, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aaie.db.models import EvaluationStatus, Submission, SubmissionVersion
    from aaie.workflows import evaluation

    teacher, student, admin = accounts["teacher"], accounts["student"], accounts["admin"]
    real = evaluation.evaluate_all

    def outage(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine outage")

    monkeypatch.setattr(evaluation, "evaluate_all", outage)
    aid = make_assignment(client, teacher.headers)
    first = submit(client, student.headers, aid)
    sid = first["submissionId"]
    assert first["evaluation_status"] == "failed"
    monkeypatch.setattr(evaluation, "evaluate_all", real)

    url = f"/api/submissions/{sid}/evaluate"
    assert client.post(url, headers=student.headers).status_code == 403
    assert client.post(url, headers=accounts["other_teacher"].headers).status_code == 404
    again = client.post(url, headers=teacher.headers)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["evaluation_status"] == "done" and body["version"] == "v1"
    assert body["evaluation"]["classification"]["label"] in ("Human", "AI", "Hybrid")
    package = _get(client, sid, teacher)
    assert package["evaluation_status"] == "done" and not package.get("error")
    events = client.get(
        f"/api/audit?resource_id={sid}&action=submission.reevaluate", headers=admin.headers
    ).json()["items"]
    assert [(e["actor_id"], e["details"]) for e in events] == [(str(teacher.id), {"version": 1})]

    # One evaluation at a time: while a version is queued, a second request is refused.
    with app.state.aaie.sessions.begin() as session:
        submission = session.get(Submission, uuid.UUID(sid))
        assert submission is not None
        version = session.scalars(
            select(SubmissionVersion).where(SubmissionVersion.submission_id == submission.id)
        ).one()
        version.evaluation_status = EvaluationStatus.queued
    conflict = client.post(url, headers=teacher.headers)
    assert conflict.status_code == 409 and conflict.json()["error"]["code"]

    # ... unless it was asked for so long ago that its job must have died with its process.
    with app.state.aaie.sessions.begin() as session:
        version = session.scalars(
            select(SubmissionVersion).where(SubmissionVersion.submission_id == uuid.UUID(sid))
        ).one()
        version.evaluation_status = EvaluationStatus.running
        version.evaluation_requested_at = datetime.now(UTC) - timedelta(hours=2)
    rerun = client.post(url, headers=teacher.headers)
    assert rerun.status_code == 200 and rerun.json()["evaluation_status"] == "done"

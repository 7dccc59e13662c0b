"""Job runners: the in-process pool and Celery on a real Redis, both through the API."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aaie.config import Settings
from aaie.db.models import EvaluationStatus, SubmissionVersion
from aaie.jobs import InlineRunner, Job, get_runner
from aaie.workflows import evaluation
from tests.api.workflow_support import (
    ESSAY,
    ESSAY_V2,
    engine_ready,  # noqa: F401 - fixture
    make_assignment,
    submit,
)
from tests.conftest import Account, redis_or_skip

pytestmark = pytest.mark.usefixtures("engine_ready")
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own; flushed by nobody else


def _version_id(app: FastAPI, submission_id: str) -> uuid.UUID:
    with app.state.aaie.sessions() as session:
        version = (
            session.query(SubmissionVersion).filter_by(submission_id=uuid.UUID(submission_id)).one()
        )
        return version.id


def _wait_done(
    client: TestClient, sid: str, headers: dict[str, str], timeout_s: float = 120
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        package = client.get(f"/api/submissions/{sid}", headers=headers).json()
        if package["evaluation_status"] in ("done", "failed"):
            return dict(package)
        time.sleep(0.05)
    raise AssertionError("the evaluation did not finish in time")


def test_inline_runner_evaluates_off_the_calling_thread(
    client: TestClient,
    app: FastAPI,
    settings: Settings,
    accounts: dict[str, Account],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aid = make_assignment(client, accounts["teacher"].headers, params={"mode": "async"})
    response = client.post(
        f"/api/assignments/{aid}/submit", json={"text": ESSAY}, headers=accounts["student"].headers
    )
    assert response.status_code == 202
    sid = response.json()["submissionId"]
    _wait_done(client, sid, accounts["student"].headers)
    version_id = _version_id(app, sid)

    seen: list[str] = []

    def spy(s: Settings, vid: uuid.UUID) -> Any:
        seen.append(threading.current_thread().name)
        return evaluation.evaluate_version(s, vid)

    job = Job("test.spy", spy, evaluation.mark_failed)
    runner = InlineRunner(workers=1)
    try:
        # Already done: a duplicate delivery is a no-op that leaves the evaluation alone.
        assert runner.run_now(settings, job, version_id) is None
    finally:
        runner.shutdown()
    assert len(seen) == 1 and seen[0].startswith("aaie-eval")


def test_evaluate_version_records_engine_failures(
    app: FastAPI,
    settings: Settings,
    client: TestClient,
    accounts: dict[str, Account],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aid = make_assignment(client, accounts["teacher"].headers)
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    with app.state.aaie.sessions.begin() as session:
        version = session.get(SubmissionVersion, _version_id(app, sid))
        version.evaluation_status = EvaluationStatus.queued
        version.text = "   "  # the engine rejects blank text: a real engine error
    status = evaluation.evaluate_version(settings, _version_id(app, sid))
    assert status == EvaluationStatus.failed
    teacher_view = client.get(f"/api/submissions/{sid}", headers=accounts["teacher"].headers).json()
    assert teacher_view["evaluation_status"] == "failed" and "ValueError" in teacher_view["error"]
    student_view = client.get(f"/api/submissions/{sid}", headers=accounts["student"].headers).json()
    assert "ValueError" not in student_view["error"]
    assert evaluation.evaluate_version(settings, uuid.uuid4()) is None  # deleted meanwhile


def test_runner_choice_follows_settings(settings: Settings) -> None:
    assert get_runner(settings).name == "inline"
    assert get_runner(settings) is get_runner(settings)  # one pool per process


@pytest.fixture
def celery_worker(settings: Settings) -> Iterator[Settings]:
    """A real Celery worker (thread, solo pool) consuming from the local Redis."""
    redis_or_skip(REDIS_URL)
    from celery.contrib.testing.worker import start_worker

    from aaie.jobs import celery_app as jobs

    settings.job_backend = "celery"
    settings.celery_broker_url = REDIS_URL
    jobs.configure(settings)
    jobs.register(evaluation.EVALUATE)  # as `aaie worker` does
    jobs.celery_app.conf.task_default_queue = f"aaie-test-{uuid.uuid4().hex[:8]}"
    with start_worker(
        jobs.celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        shutdown_timeout=30,
        loglevel="WARNING",
    ):
        yield settings
    jobs.celery_app.conf.task_default_queue = jobs.QUEUE


def test_celery_worker_runs_queued_evaluations(
    client: TestClient, celery_worker: Settings, accounts: dict[str, Account]
) -> None:
    assert get_runner(celery_worker).name == "celery"
    student = accounts["student"].headers
    aid = make_assignment(client, accounts["teacher"].headers, params={"mode": "async"})
    response = client.post(f"/api/assignments/{aid}/submit", json={"text": ESSAY}, headers=student)
    assert response.status_code == 202 and response.json()["status"] == "queued"
    sid = response.json()["submissionId"]
    package = _wait_done(client, sid, student)
    assert package["evaluation_status"] == "done"
    assert set(package["evaluation"]) == {"rubric", "feedback"}
    again = client.post(
        f"/api/submissions/{sid}/resubmit", json={"text": ESSAY_V2}, headers=student
    )
    assert again.status_code == 202
    done = _wait_done(client, sid, accounts["teacher"].headers)
    assert [v["evaluation_status"] for v in done["versions"]] == ["done", "done"]
    assert done["evaluation"]["classification"]["label"] in ("Human", "AI", "Hybrid")


def test_celery_task_is_idempotent_and_acks_late(
    celery_worker: Settings, client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    from aaie.jobs.celery_app import MAX_RETRIES, celery_app, register

    evaluate_version_task = register(evaluation.EVALUATE)
    assert celery_app.conf.task_acks_late and evaluate_version_task.max_retries == MAX_RETRIES
    aid = make_assignment(client, accounts["teacher"].headers)
    sid = submit(client, accounts["student"].headers, aid)["submissionId"]
    version_id = _version_id(app, sid)
    before = client.get(f"/api/submissions/{sid}", headers=accounts["teacher"].headers).json()
    # A redelivered message for a finished version changes nothing.
    assert evaluate_version_task.apply(args=[str(version_id)]).get() is None
    after = client.get(f"/api/submissions/{sid}", headers=accounts["teacher"].headers).json()
    assert after["evaluation"] == before["evaluation"]

"""Leases and the reaper (issue 19): one job per version, only the claim holder stores, lost
jobs are sent again, the in-process queue is rebuilt at start-up, poison jobs give up."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aaie.config import Settings
from aaie.db.base import utcnow
from aaie.db.models import EvaluationStatus, SubmissionVersion
from aaie.jobs import lease, reaper
from aaie.jobs.inline import InlineRunner
from aaie.workflows import evaluation
from aaie.workflows.evaluation import EVALUATE
from tests.api.workflow_support import engine_ready, make_assignment  # noqa: F401
from tests.conftest import Account

pytestmark = pytest.mark.usefixtures("engine_ready")


def _queued_version(
    client: TestClient, app: FastAPI, accounts: dict[str, Account], monkeypatch: Any
) -> uuid.UUID:
    """An async submission whose job was never run (as if its process died at once)."""
    monkeypatch.setattr(InlineRunner, "enqueue", lambda self, settings, job, vid: None)
    aid = make_assignment(client, accounts["teacher"].headers, params={"mode": "async"})
    response = client.post(
        f"/api/assignments/{aid}/submit",
        json={"text": "Gardens help neighbours meet and share food. " * 10},
        headers=accounts["student"].headers,
    )
    assert response.status_code == 202
    monkeypatch.undo()
    with app.state.aaie.sessions() as session:
        version = session.query(SubmissionVersion).one()
        assert version.evaluation_status == EvaluationStatus.queued
        return version.id


def _version(app: FastAPI, vid: uuid.UUID) -> SubmissionVersion:
    with app.state.aaie.sessions() as session:
        version = session.get(SubmissionVersion, vid)
        assert version is not None
        return version


def test_one_claim_at_a_time_and_only_the_holder_finishes(
    client: TestClient, app: FastAPI, accounts: dict[str, Account], monkeypatch: Any
) -> None:
    vid = _queued_version(client, app, accounts, monkeypatch)
    engine = app.state.aaie.engine
    first = lease.claim(engine, vid, 60)
    assert first and lease.claim(engine, vid, 60) is None  # a duplicate delivery
    with app.state.aaie.sessions.begin() as session:  # its worker died: the lease runs out
        session.get(SubmissionVersion, vid).evaluation_lease_until = utcnow() - timedelta(seconds=1)
    second = lease.claim(engine, vid, 60)
    assert second and second != first and _version(app, vid).evaluation_attempts == 2
    with app.state.aaie.sessions.begin() as session:
        assert not lease.finish(session, vid, first)  # the old job may not store
        assert lease.finish(session, vid, second)
    assert not lease.extend(engine, vid, first, 60)


def test_a_job_that_lost_its_claim_stores_nothing(
    client: TestClient,
    app: FastAPI,
    settings: Settings,
    accounts: dict[str, Account],
    monkeypatch: Any,
) -> None:
    vid = _queued_version(client, app, accounts, monkeypatch)
    real = evaluation.run_engine

    def slow_engine(s: Settings, job: Any) -> Any:
        result = real(s, job)
        with app.state.aaie.sessions.begin() as session:  # meanwhile another job took it over
            session.get(SubmissionVersion, vid).evaluation_claim = "another-job"
        return result

    monkeypatch.setattr(evaluation, "run_engine", slow_engine)
    assert evaluation.evaluate_version(settings, vid) is None
    version = _version(app, vid)
    assert version.evaluation is None and version.evaluation_status == EvaluationStatus.running


def test_the_inline_runner_rebuilds_its_queue_at_start_up(
    app: FastAPI, settings: Settings, accounts: dict[str, Account], monkeypatch: Any
) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        vid = _queued_version(client, app, accounts, monkeypatch)
    settings.job_reaper_enabled = True  # the "restarted" process
    with TestClient(app, raise_server_exceptions=False):
        deadline = time.monotonic() + 60
        while _version(app, vid).evaluation_status != EvaluationStatus.done:
            assert time.monotonic() < deadline, "not evaluated after the restart"
            time.sleep(0.1)
    assert _version(app, vid).evaluation_attempts == 1


def test_a_job_lost_too_often_is_failed_not_looped(
    client: TestClient,
    app: FastAPI,
    settings: Settings,
    accounts: dict[str, Account],
    monkeypatch: Any,
) -> None:
    vid = _queued_version(client, app, accounts, monkeypatch)
    with app.state.aaie.sessions.begin() as session:
        version = session.get(SubmissionVersion, vid)
        version.evaluation_status = EvaluationStatus.running
        version.evaluation_claim = "dead-worker"
        version.evaluation_lease_until = utcnow() - timedelta(seconds=1)
        version.evaluation_attempts = settings.job_max_attempts
    assert reaper.requeue_stale(settings, EVALUATE) == {"requeued": 0, "failed": 1}
    version = _version(app, vid)
    assert version.evaluation_status == EvaluationStatus.failed
    assert "Gave up after 3 attempts" in (version.error or "")
    # Re-evaluating starts the count again.
    sid = str(version.submission_id)
    response = client.post(f"/api/submissions/{sid}/evaluate", headers=accounts["teacher"].headers)
    assert response.status_code in (200, 202), response.text
    assert _version(app, vid).evaluation_attempts <= 1

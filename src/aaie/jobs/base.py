"""The job-runner interface and the per-process runner choice."""

from __future__ import annotations

import threading
import uuid
from typing import Protocol

from aaie.config import Settings
from aaie.db.models import EvaluationStatus


class JobRunner(Protocol):
    """Runs `services.submissions.evaluate_version` somewhere other than the event loop.

    Callers commit the version row *before* handing its id over, so the job always finds it."""

    name: str

    def enqueue(self, settings: Settings, version_id: uuid.UUID) -> None:
        """Queue the evaluation and return at once (async submissions, 202)."""

    def run_now(self, settings: Settings, version_id: uuid.UUID) -> EvaluationStatus | None:
        """Evaluate and wait for the result (sync submissions, 200)."""


_runners: dict[tuple[str, str], JobRunner] = {}
_lock = threading.Lock()


def get_runner(settings: Settings) -> JobRunner:
    """One runner per process and backend (models and thread pools are shared)."""
    key = (
        settings.job_backend,
        settings.celery_broker_url if settings.job_backend == "celery" else "",
    )
    with _lock:
        runner = _runners.get(key)
        if runner is None:
            runner = _make(settings)
            _runners[key] = runner
        return runner


def _make(settings: Settings) -> JobRunner:
    if settings.job_backend == "celery":
        from aaie.jobs.celery_runner import CeleryRunner

        return CeleryRunner(settings.celery_broker_url)
    from aaie.jobs.inline import InlineRunner

    return InlineRunner()

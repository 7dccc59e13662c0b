"""The runner choice: one runner per process and backend."""

from __future__ import annotations

import threading

from aaie.config import Settings
from aaie.jobs.base import JobRunner
from aaie.jobs.inline import InlineRunner

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
        # Celery is imported only by processes configured to use it (an optional backend).
        from aaie.jobs.celery_runner import CeleryRunner

        return CeleryRunner(settings.celery_broker_url)
    return InlineRunner()

"""In-process runner: a bounded thread pool, so the event loop never runs the engine and at
most `workers` evaluations compete for the CPU at once (the rest wait in the pool's queue)."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

import structlog
from sqlalchemy.exc import InterfaceError, OperationalError

from aaie.config import Settings
from aaie.db.models import EvaluationStatus
from aaie.jobs.base import Job

log = structlog.get_logger("aaie.jobs")


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class InlineRunner:
    name = "inline"

    def __init__(self, workers: int | None = None) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=workers or default_workers(), thread_name_prefix="aaie-eval"
        )

    def submit(
        self, settings: Settings, job: Job, version_id: uuid.UUID
    ) -> Future[EvaluationStatus | None]:
        return self._pool.submit(run_logged, settings, job, version_id)

    def enqueue(self, settings: Settings, job: Job, version_id: uuid.UUID) -> None:
        self.submit(settings, job, version_id)

    def run_now(
        self, settings: Settings, job: Job, version_id: uuid.UUID
    ) -> EvaluationStatus | None:
        return self.submit(settings, job, version_id).result()

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


def run_logged(settings: Settings, job: Job, version_id: uuid.UUID) -> EvaluationStatus | None:
    """Run the job; an unexpected exception (e.g. the database went away) is logged and
    recorded on the version if that is still possible."""
    try:
        return job.run(settings, version_id)
    except (OperationalError, InterfaceError):
        # The database went away: the version cannot be marked anyway. Its lease was ended,
        # so the reaper (aaie.jobs.reaper) sends it again once the database is back.
        log.warning("evaluation_job_interrupted", version_id=str(version_id), exc_info=True)
        return None
    except Exception as exc:
        log.exception("evaluation_job_failed", job=job.name, version_id=str(version_id))
        job.on_failure(settings, version_id, f"{type(exc).__name__}: {exc}")
        return EvaluationStatus.failed

"""In-process runner: a bounded thread pool, so the event loop never runs the engine and at
most `workers` evaluations compete for the CPU at once (the rest wait in the pool's queue)."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

import structlog

from aaie.config import Settings
from aaie.db.models import EvaluationStatus

log = structlog.get_logger("aaie.jobs")


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class InlineRunner:
    name = "inline"

    def __init__(self, workers: int | None = None) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=workers or default_workers(), thread_name_prefix="aaie-eval"
        )

    def submit(self, settings: Settings, version_id: uuid.UUID) -> Future[EvaluationStatus | None]:
        return self._pool.submit(_evaluate_logged, settings, version_id)

    def enqueue(self, settings: Settings, version_id: uuid.UUID) -> None:
        self.submit(settings, version_id)

    def run_now(self, settings: Settings, version_id: uuid.UUID) -> EvaluationStatus | None:
        return self.submit(settings, version_id).result()

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


def _evaluate_logged(settings: Settings, version_id: uuid.UUID) -> EvaluationStatus | None:
    from aaie.services.submissions import evaluate_version, mark_failed

    try:
        return evaluate_version(settings, version_id)
    except Exception as exc:  # e.g. the database went away: record it if we still can
        log.exception("evaluation_job_failed", version_id=str(version_id))
        mark_failed(settings, version_id, f"{type(exc).__name__}: {exc}")
        return EvaluationStatus.failed

"""Celery runner: async evaluations go to Redis and run on `aaie worker` processes; sync
submissions still evaluate in this process (the caller waits either way, and a round trip
through the broker would only add latency)."""

from __future__ import annotations

import uuid

import structlog

from aaie.config import Settings
from aaie.db.models import EvaluationStatus
from aaie.jobs import celery_app
from aaie.jobs.base import Job
from aaie.jobs.inline import InlineRunner

log = structlog.get_logger("aaie.jobs")
# A broker that is down costs a request about a second, not Celery's default retries.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.25, "interval_max": 0.5}


class CeleryRunner:
    name = "celery"

    def __init__(self, broker_url: str) -> None:
        celery_app.use_broker(broker_url)
        self._inline = InlineRunner()

    def enqueue(self, settings: Settings, job: Job, version_id: uuid.UUID) -> None:
        """Publish the job. A broker that is down does not fail the request: the version is
        committed as queued, and the reaper sends it again (`AAIE_JOB_REQUEUE_AFTER_S`)."""
        # By name: the worker registered the same Job (`aaie worker` → celery_app.register).
        try:
            celery_app.celery_app.send_task(
                job.name, args=[str(version_id)], retry_policy=PUBLISH_RETRY
            )
        except Exception:
            log.warning("enqueue_failed", version_id=str(version_id), exc_info=True)

    def run_now(
        self, settings: Settings, job: Job, version_id: uuid.UUID
    ) -> EvaluationStatus | None:
        return self._inline.run_now(settings, job, version_id)

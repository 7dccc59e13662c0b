"""Celery runner: async evaluations go to Redis and run on `aaie worker` processes; sync
submissions still evaluate in this process (the caller waits either way, and a round trip
through the broker would only add latency)."""

from __future__ import annotations

import uuid

from aaie.config import Settings
from aaie.db.models import EvaluationStatus
from aaie.jobs import celery_app
from aaie.jobs.base import Job
from aaie.jobs.inline import InlineRunner


class CeleryRunner:
    name = "celery"

    def __init__(self, broker_url: str) -> None:
        celery_app.use_broker(broker_url)
        self._inline = InlineRunner()

    def enqueue(self, settings: Settings, job: Job, version_id: uuid.UUID) -> None:
        # By name: the worker registered the same Job (`aaie worker` → celery_app.register).
        celery_app.celery_app.send_task(job.name, args=[str(version_id)])

    def run_now(
        self, settings: Settings, job: Job, version_id: uuid.UUID
    ) -> EvaluationStatus | None:
        return self._inline.run_now(settings, job, version_id)

"""The Celery application (`aaie worker` runs it): Redis broker, acks-late delivery, bounded
retries on database/broker hiccups. Engine failures are not retried: they are recorded on the
version as `failed` (re-running the same text would fail the same way).

Nothing is read at import time: the broker comes from the settings the worker command (or the
API's runner) hands to `configure` / `use_broker`, and the job bodies are registered by the
use-case layer that owns them (`register`), under the names the API's runner sends."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from celery import Celery, Task
from sqlalchemy.exc import DBAPIError, OperationalError

from aaie.config import Settings, get_settings
from aaie.jobs.base import Job

log = structlog.get_logger("aaie.jobs")
MAX_RETRIES = 3
QUEUE = "aaie-evaluations"


def _make_app() -> Celery:
    app = Celery("aaie")
    app.conf.update(
        task_acks_late=True,  # a worker that dies mid-job leaves the message for another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # evaluations are long: do not hoard messages
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results live in the database, not the broker
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


class _NoAmqp:
    _producer_pool = None


celery_app = _make_app()
app = celery_app
_settings: Settings | None = None


def configure(settings: Settings) -> None:
    """Use these settings in this process's tasks (the worker command and tests call it)."""
    global _settings
    _settings = settings
    use_broker(settings.celery_broker_url)


def use_broker(broker_url: str) -> None:
    if celery_app.conf.broker_url != broker_url:
        celery_app.conf.broker_url = broker_url
        # Connections made for the previous broker would keep publishing there.
        celery_app._pool = None
        celery_app.__dict__.get("amqp", _NoAmqp)._producer_pool = None


def worker_settings() -> Settings:
    return _settings if _settings is not None else get_settings()


def register(job: Job) -> Any:
    """The Celery task that runs `job` on a worker (once per process and job name)."""
    existing = celery_app.tasks.get(job.name)
    if existing is not None:
        return existing

    @celery_app.task(name=job.name, bind=True, max_retries=MAX_RETRIES, acks_late=True)
    def run_job(self: Task, version_id: str) -> str | None:
        settings = worker_settings()
        try:
            status = job.run(settings, uuid.UUID(version_id))
        except (OperationalError, DBAPIError) as exc:
            if self.request.retries >= MAX_RETRIES:
                log.exception("evaluation_gave_up", job=job.name, version_id=version_id)
                job.on_failure(settings, uuid.UUID(version_id), f"{type(exc).__name__}: {exc}")
                raise
            raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
        return str(status) if status else None

    return run_job

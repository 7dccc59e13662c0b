"""The job-runner interface and the job description runners are handed.

A runner knows *how* to run a job (a thread pool here, a Celery worker elsewhere), never *what*
the job does: the use case that owns the job (`aaie.workflows.evaluation.EVALUATE`) hands it a
`Job`, and the Celery worker finds the same job body by its name. So nothing in `jobs` imports
the layers above it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aaie.config import Settings
from aaie.db.models import EvaluationStatus


@dataclass(frozen=True)
class Job:
    """A job body over one stored version, and what to do when it cannot finish.

    `run` returns the version's new evaluation status (None: nothing to do, e.g. a duplicate
    delivery); `on_failure` records an unexpected failure on the version and never raises."""

    name: str
    run: Callable[[Settings, uuid.UUID], EvaluationStatus | None]
    on_failure: Callable[[Settings, uuid.UUID, str], None]


class JobRunner(Protocol):
    """Runs a job somewhere other than the event loop.

    Callers commit the version row *before* handing its id over, so the job always finds it."""

    name: str

    def enqueue(self, settings: Settings, job: Job, version_id: uuid.UUID) -> None:
        """Queue the job and return at once (async submissions, 202)."""

    def run_now(
        self, settings: Settings, job: Job, version_id: uuid.UUID
    ) -> EvaluationStatus | None:
        """Run the job and wait for the result (sync submissions, 200)."""

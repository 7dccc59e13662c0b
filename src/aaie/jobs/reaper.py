"""The reaper: evaluations nobody is working on are sent again, without a person.

Every `job_reaper_interval_s` each API process looks for
- running versions whose lease ran out (their worker died: kill -9, OOM, a lost machine);
- running versions from before leases existed, asked for longer than `evaluation_stale_s` ago;
- queued versions nobody claimed for `job_requeue_after_s` (the message was lost: a broker
  restarted without persistence, or the broker was down when the version was accepted).
Each is requeued by one conditional UPDATE (so with several processes only one sends it) and
handed to the job runner. A version claimed `job_max_attempts` times without finishing is
marked failed instead (a text that kills its worker each time must not loop for ever).

At start-up (`startup=True`) every queued version is sent at once: with the in-process runner
the queue lived in the process that just stopped.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, Engine, and_, or_, select, update

from aaie.config import Settings
from aaie.db.base import utcnow
from aaie.db.models import EvaluationStatus, SubmissionVersion
from aaie.db.session import get_engine
from aaie.jobs.base import Job

log = structlog.get_logger("aaie.jobs")
_V = SubmissionVersion
_BATCH = 500


def _stale_running(now: datetime, settings: Settings) -> ColumnElement[bool]:
    legacy_cutoff = now - timedelta(seconds=settings.evaluation_stale_s)
    return and_(
        _V.evaluation_status == EvaluationStatus.running,
        or_(
            _V.evaluation_lease_until < now,
            and_(
                _V.evaluation_lease_until.is_(None),
                _V.evaluation_claim.is_(None),
                _V.evaluation_requested_at < legacy_cutoff,
            ),
        ),
    )


def _lost_queued(now: datetime, settings: Settings, startup: bool) -> ColumnElement[bool]:
    queued = _V.evaluation_status == EvaluationStatus.queued
    if startup:
        return queued
    cutoff = now - timedelta(seconds=settings.job_requeue_after_s)
    return and_(
        queued, or_(_V.evaluation_requested_at < cutoff, _V.evaluation_requested_at.is_(None))
    )


def requeue_stale(settings: Settings, job: Job, *, startup: bool = False) -> dict[str, int]:
    """One pass; counts of what was requeued (handed to the runner as `job`) and what was
    given up on."""
    from aaie.jobs.runner import get_runner

    engine = get_engine(settings.resolved_database_url)
    now = utcnow()
    stale = or_(_stale_running(now, settings), _lost_queued(now, settings, startup))
    with engine.connect() as conn:
        rows = conn.execute(select(_V.id, _V.evaluation_attempts).where(stale).limit(_BATCH)).all()
    counts = {"requeued": 0, "failed": 0}
    runner = get_runner(settings)
    for version_id, attempts in rows:
        if attempts >= settings.job_max_attempts:
            if _give_up(engine, version_id, stale, attempts):
                counts["failed"] += 1
            continue
        with engine.begin() as conn:
            taken = conn.execute(
                update(_V)
                .where(_V.id == version_id, stale)
                .values(
                    evaluation_status=EvaluationStatus.queued,
                    evaluation_claim=None,
                    evaluation_lease_until=None,
                    evaluation_requested_at=now,
                )
            ).rowcount
        if taken != 1:
            continue  # another process requeued it, or its job came back to life
        try:
            runner.enqueue(settings, job, version_id)
        except Exception:  # the broker is away: it stays queued and is sent again later
            log.warning("requeue_send_failed", version_id=str(version_id))
            continue
        counts["requeued"] += 1
        log.info("evaluation_requeued", version_id=str(version_id), attempts=attempts)
    return counts


def _give_up(
    engine: Engine, version_id: uuid.UUID, stale: ColumnElement[bool], attempts: int
) -> bool:
    message = (
        f"Gave up after {attempts} attempts: the job running this evaluation was lost each time"
        " (worker killed or out of memory?). Re-evaluate to try again."
    )
    with engine.begin() as conn:
        done = conn.execute(
            update(_V)
            .where(_V.id == version_id, stale)
            .values(
                evaluation_status=EvaluationStatus.failed,
                evaluation_claim=None,
                evaluation_lease_until=None,
                error=message,
                evaluated_at=utcnow(),
            )
        ).rowcount
    if done == 1:
        log.error("evaluation_given_up", version_id=str(version_id), attempts=attempts)
    return bool(done == 1)


class Reaper:
    """A daemon thread running `requeue_stale` every `job_reaper_interval_s` (one per API
    process; with the in-process runner the first pass also resends every queued version).
    The job is handed in by the layer that owns it (aaie.workflows.evaluation.EVALUATE)."""

    def __init__(self, settings: Settings, job: Job) -> None:
        self.settings, self.job = settings, job
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="aaie-reaper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        # Only the in-process runner's queue dies with the process; a broker keeps its own.
        startup = self.settings.job_backend == "inline"
        while True:
            try:
                counts = requeue_stale(self.settings, self.job, startup=startup)
                if any(counts.values()):
                    log.info("reaper_pass", startup=startup, **counts)
                startup = False
            except Exception:  # the database is away: try again next time
                log.warning("reaper_pass_failed", exc_info=True)
            if self._stop.wait(self.settings.job_reaper_interval_s):
                return

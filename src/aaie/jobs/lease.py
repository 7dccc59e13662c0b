"""Leases: at most one job evaluates a version at a time, and one whose worker died is noticed.

- `claim` is one conditional UPDATE (atomic on SQLite and PostgreSQL): a version is taken when
  it is queued, or running under a lease that ran out. Two deliveries of the same message, a
  redelivery after a lost worker and a reaper's requeue can race; one of them wins.
- While the engine runs, `heartbeat` extends the lease every third of `job_lease_s`. A worker
  killed -9 stops beating; `aaie.jobs.reaper` requeues the version once the lease has run out.
- `finish` releases the claim inside the transaction that stores the result, and only if the
  claim is still this job's: a job that lost its lease (paused, partitioned) stores nothing,
  so one version never gets two evaluations.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import structlog
from sqlalchemy import Engine, and_, or_, update
from sqlalchemy.orm import Session

from aaie.db.base import utcnow
from aaie.db.models import EvaluationStatus, SubmissionVersion

log = structlog.get_logger("aaie.jobs")
_V = SubmissionVersion


def claim(engine: Engine, version_id: uuid.UUID, lease_s: float) -> str | None:
    """Take the version for this job; its claim token, or None when another job holds it or
    it needs no evaluation (done, failed, deleted)."""
    token = uuid.uuid4().hex
    now = utcnow()
    statement = (
        update(_V)
        .where(
            _V.id == version_id,
            or_(
                _V.evaluation_status == EvaluationStatus.queued,
                and_(
                    _V.evaluation_status == EvaluationStatus.running,
                    _V.evaluation_lease_until < now,
                ),
            ),
        )
        .values(
            evaluation_status=EvaluationStatus.running,
            evaluation_claim=token,
            evaluation_lease_until=now + timedelta(seconds=lease_s),
            evaluation_attempts=_V.evaluation_attempts + 1,
        )
    )
    with engine.begin() as conn:
        taken = conn.execute(statement).rowcount == 1
    return token if taken else None


def extend(engine: Engine, version_id: uuid.UUID, token: str, lease_s: float) -> bool:
    """Push the lease out; False when the claim is no longer this job's."""
    statement = (
        update(_V)
        .where(_V.id == version_id, _V.evaluation_claim == token)
        .values(evaluation_lease_until=utcnow() + timedelta(seconds=lease_s))
    )
    with engine.begin() as conn:
        return bool(conn.execute(statement).rowcount == 1)


def finish(session: Session, version_id: uuid.UUID, token: str) -> bool:
    """In the storing transaction: drop the claim if it is still this job's (row locked until
    commit). False means another job owns the version now: store nothing."""
    statement = (
        update(_V)
        .where(
            _V.id == version_id,
            _V.evaluation_claim == token,
            _V.evaluation_status == EvaluationStatus.running,
        )
        .values(evaluation_claim=None, evaluation_lease_until=None)
    )
    result = session.execute(statement)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def expire(engine: Engine, version_id: uuid.UUID, token: str) -> None:
    """Best effort, after a job failed on the database: end the lease now so a retry or the
    reaper takes the version at once instead of after the lease."""
    try:
        with engine.begin() as conn:
            conn.execute(
                update(_V)
                .where(_V.id == version_id, _V.evaluation_claim == token)
                .values(evaluation_lease_until=utcnow())
            )
    except Exception:
        log.warning("lease_expire_failed", version_id=str(version_id))


@contextmanager
def heartbeat(
    engine: Engine, version_id: uuid.UUID, token: str, lease_s: float
) -> Iterator[threading.Event]:
    """Extend the lease in a background thread while the body runs. The yielded event is set
    when the claim was lost (the result will not be stored)."""
    stop, lost = threading.Event(), threading.Event()

    def beat() -> None:
        while not stop.wait(lease_s / 3):
            try:
                if not extend(engine, version_id, token, lease_s):
                    lost.set()
                    return
            except Exception:  # the database is away: keep trying until the job ends
                log.warning("lease_heartbeat_failed", version_id=str(version_id))

    thread = threading.Thread(target=beat, name="aaie-lease", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join(timeout=5)

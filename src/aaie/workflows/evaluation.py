"""The evaluation job body: one stored version in, its evaluation stored.

`claim` (mark the version running, gather what the engine needs) → `run_engine` (no database
session held while the engine works) → `store` (the evaluation, or the failure, on the
version; the submission's label and flag when it is the current version).

`EVALUATE` is what the job runners are handed: the inline runner calls it in its thread pool,
the Celery worker registers it under its name (`aaie worker`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.base import utcnow
from aaie.db.models import Assignment, EvaluationStatus, Submission, SubmissionVersion
from aaie.db.session import get_engine, get_sessionmaker
from aaie.engine.pipeline import Evaluation, evaluate_all
from aaie.engine.rubric.calibration import Calibration
from aaie.engine.rubric.types import RubricSpec
from aaie.jobs import Job, lease
from aaie.services import assignments as assignment_service
from aaie.services.calibration import assignment_calibration
from aaie.services.engine import provider_from_settings

log = structlog.get_logger("aaie.evaluation")


@dataclass(frozen=True)
class EngineInput:
    """Everything the engine needs for one version, read while the version is claimed."""

    text: str
    prompt_text: str | None
    chat_log: list[dict[str, str]]
    rubric: RubricSpec | None
    threshold: float
    calibration: Calibration | None = None  # the assignment's (services/calibration.py)


def evaluate_version(settings: Settings, version_id: uuid.UUID) -> EvaluationStatus | None:
    """Run the engine on one stored version and store the result. Idempotent: only the job that
    claims the version (aaie.jobs.lease) runs it, and only a job still holding its claim stores
    a result, so duplicate deliveries, redeliveries after a lost worker and reaper requeues
    never store two evaluations. Engine errors mark the version failed; database errors
    propagate (the lease is ended so a retry or the reaper takes the version again)."""
    sessions = get_sessionmaker(settings.resolved_database_url)
    engine = get_engine(settings.resolved_database_url)
    token = lease.claim(engine, version_id, settings.job_lease_s)
    if token is None:
        return None  # done, failed, deleted, or another job holds it
    try:
        with lease.heartbeat(engine, version_id, token, settings.job_lease_s):
            with sessions.begin() as session:
                job = claim(session, settings, version_id)
            if job is None:
                return None
            evaluation, error = run_engine(settings, job)
            with sessions.begin() as session:
                if not lease.finish(session, version_id, token):
                    log.warning("evaluation_lease_lost", version_id=str(version_id))
                    return None
                status = store(session, version_id, evaluation, error)
        log.info("evaluation_stored", version_id=str(version_id), status=str(status))
        return status
    except Exception:
        lease.expire(engine, version_id, token)
        raise


def claim(session: Session, settings: Settings, version_id: uuid.UUID) -> EngineInput | None:
    """What the engine needs of a version this job has claimed (aaie.jobs.lease.claim)."""
    version = session.get(SubmissionVersion, version_id)
    if version is None:
        return None  # deleted meanwhile
    submission = session.get(Submission, version.submission_id)
    assignment = session.get(Assignment, submission.assignment_id) if submission else None
    if assignment is None:
        return None
    params = assignment_service.params_of(assignment)
    threshold = params.similarity_flag_pct
    return EngineInput(
        version.text,
        version.prompt_text,
        list(version.chat_log or []),
        params.rubric_spec(),
        settings.similarity_flag_pct if threshold is None else threshold,
        assignment_calibration(session, assignment, exclude=submission.id if submission else None),
    )


def run_engine(settings: Settings, job: EngineInput) -> tuple[Evaluation | None, str | None]:
    try:
        result = evaluate_all(
            job.text,
            job.prompt_text,
            job.chat_log,
            job.rubric,
            similarity_threshold=job.threshold,
            provider=provider_from_settings(settings),
            calibration=job.calibration,
        )
    except Exception as exc:  # an engine failure is the version's state, not a crash
        log.exception("evaluation_failed")
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    return result, None


def store(
    session: Session, version_id: uuid.UUID, evaluation: Evaluation | None, error: str | None
) -> EvaluationStatus | None:
    version = session.get(SubmissionVersion, version_id)
    if version is None:
        return None  # the submission was deleted while the engine ran
    version.evaluated_at = utcnow()
    if evaluation is None:
        version.evaluation_status, version.error = EvaluationStatus.failed, error
        return version.evaluation_status
    version.evaluation, version.error = evaluation.model_dump(mode="json"), None
    version.evaluation_status = EvaluationStatus.done
    submission = session.get(Submission, version.submission_id)
    if submission is not None and submission.current_version == version.number:
        cls, similarity = evaluation.classification, evaluation.similarity
        submission.label = cls.label if cls else None
        submission.flagged = bool(similarity and similarity.flag)
    return version.evaluation_status


def mark_failed(settings: Settings, version_id: uuid.UUID, error: str) -> None:
    """Best effort: record a job that could not finish (never raises)."""
    try:
        with get_sessionmaker(settings.resolved_database_url).begin() as session:
            version = session.get(SubmissionVersion, version_id)
            if version is not None and version.evaluation_status != EvaluationStatus.done:
                version.evaluation_status, version.error = EvaluationStatus.failed, error[:2000]
                version.evaluated_at = utcnow()
    except Exception:
        log.exception("mark_failed_failed", version_id=str(version_id))


EVALUATE = Job(name="aaie.evaluate_version", run=evaluate_version, on_failure=mark_failed)

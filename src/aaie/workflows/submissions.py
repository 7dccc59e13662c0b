"""Submit, resubmit and re-evaluate: the path of one submission, top to bottom.

    route (parse)                      api/routes/assignments.py, api/routes/submissions.py
      → submit / resubmit / reevaluate  this module
          → services.submissions         validate, resolve the text, redact, store a queued version
          → services.audit               who did it (same transaction)
          → commit                       the job runs elsewhere and must find the row
          → jobs runner                  run `evaluation.EVALUATE` now (sync) or queue it (async)
      → reply                           `services.visibility` filters the stored evaluation
                                        for the caller's role

Sync assignments answer 200 with the evaluation; async ones 202 `status: "queued"`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.models import Assignment, EvaluationStatus, Submission, SubmissionVersion, User
from aaie.jobs import get_runner
from aaie.services import audit, visibility
from aaie.services import submissions as submission_service
from aaie.services.assignments import params_of
from aaie.services.submissions import SubmissionInput
from aaie.services.views import EvaluationView
from aaie.workflows.evaluation import EVALUATE


class SubmitResponse(BaseModel):
    """The reply to a submit, resubmit or re-evaluate (§11.3)."""

    submissionId: uuid.UUID
    version: str = Field(examples=["v1"])
    evaluation_status: Literal["queued", "running", "done", "failed"]
    evaluation: EvaluationView | None = Field(
        None,
        description="classification (teachers), rubric, feedback; AI score, similarity "
        "and highlights too for teachers when future_scoring is on (sync only)",
    )
    status: Literal["queued"] | None = Field(None, description="async only")
    error: str | None = Field(None, description="when the evaluation failed")


@dataclass(frozen=True)
class Outcome:
    """What the caller gets: 200 with the evaluation (sync) or 202 queued (async). Fields of
    `reply` that were not set are not sent (`visibility.body`)."""

    status_code: int
    reply: SubmitResponse


def submit(
    session: Session,
    settings: Settings,
    user: User,
    assignment_id: uuid.UUID,
    data: SubmissionInput,
    request_id: str | None,
) -> Outcome:
    """The first submission of a student to an assignment, evaluated."""
    submission, version, assignment = submission_service.submit(
        session, settings, user, assignment_id, data
    )
    audit.record(
        session,
        actor=user,
        action="submission.create",
        resource_type="submission",
        resource_id=submission.id,
        request_id=request_id,
        details={
            "assignment_id": str(assignment.id),
            "version": 1,
            "for_student": str(submission.student_id),
        },
    )
    return _evaluate(session, settings, user, submission, version, assignment)


def resubmit(
    session: Session,
    settings: Settings,
    user: User,
    submission_id: uuid.UUID,
    data: SubmissionInput,
    request_id: str | None,
) -> Outcome:
    """A new version under the same id, evaluated like the first."""
    submission, version, assignment = submission_service.resubmit(
        session, settings, user, submission_id, data
    )
    audit.record(
        session,
        actor=user,
        action="submission.resubmit",
        resource_type="submission",
        resource_id=submission.id,
        request_id=request_id,
        details={"version": version.number},
    )
    return _evaluate(session, settings, user, submission, version, assignment)


def reevaluate(
    session: Session,
    settings: Settings,
    user: User,
    submission_id: uuid.UUID,
    request_id: str | None,
) -> Outcome:
    """The current version evaluated again with today's engine and the assignment's settings."""
    submission, version, assignment = submission_service.reevaluate(
        session, settings, user, submission_id
    )
    audit.record(
        session,
        actor=user,
        action="submission.reevaluate",
        resource_type="submission",
        resource_id=submission.id,
        request_id=request_id,
        details={"version": version.number},
    )
    return _evaluate(session, settings, user, submission, version, assignment)


def _evaluate(
    session: Session,
    settings: Settings,
    user: User,
    submission: Submission,
    version: SubmissionVersion,
    assignment: Assignment,
) -> Outcome:
    """Commit, then evaluate now (sync, 200) or queue it (async, 202)."""
    session.commit()  # the job runs in another thread/process and must find the row
    runner = get_runner(settings)
    label = visibility.version_label(version.number)
    if params_of(assignment).mode == "async":
        runner.enqueue(settings, EVALUATE, version.id)
        return Outcome(
            202,
            SubmitResponse(
                submissionId=submission.id,
                version=label,
                status="queued",
                evaluation_status="queued",
            ),
        )
    runner.run_now(settings, EVALUATE, version.id)  # waits on the pool; the route is off the loop
    session.refresh(version)
    audience = visibility.audience_for(user, assignment, submission) or visibility.Audience.student
    reply = SubmitResponse(
        submissionId=submission.id,
        evaluation=visibility.evaluation_view(
            visibility.stored_evaluation(version),
            audience,
            future=visibility.future_scoring(assignment, settings),
        ),
        version=label,
        evaluation_status=version.evaluation_status.value,
    )
    if version.evaluation_status == EvaluationStatus.failed:
        reply.error = visibility.version_view(version, audience, future=False).error
    return Outcome(200, reply)

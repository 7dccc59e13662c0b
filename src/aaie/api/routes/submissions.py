"""Submissions (§11.3): read, list, resubmit, review status, report download, delete.

Every body is built by `services.visibility`, so a student never receives classification, AI
score, similarity or highlights, whatever the route."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.orm import Session

from aaie.api.deps import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    StaffUser,
    SubmissionFilters,
    SubmissionId,
    rate_limited,
)
from aaie.api.errors import error_responses
from aaie.api.paging import Offset
from aaie.api.schemas.workflow import (
    Page,
    StatusOut,
    StatusUpdate,
    SubmitRequest,
    SubmitResponse,
    TeacherScoresIn,
    TeacherScoresOut,
)
from aaie.db.models import ReviewStatus, Submission, User
from aaie.errors import NotFound
from aaie.services import audit, calibration, deletion, submissions
from aaie.services.views import SubmissionPackage, VersionView
from aaie.workflows import reports
from aaie.workflows import submissions as workflow

router = APIRouter(prefix="/api/submissions", tags=["submissions"])


@router.get(
    "",
    response_model=Page,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 422),
)
def list_submissions(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    filters: SubmissionFilters,
    assignment_id: Annotated[uuid.UUID | None, Query(alias="assignmentId")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> Page:
    """Students: their own submissions; teachers: those to their assignments; admins: all.
    Students may not filter by status, label or flagged (403)."""
    filters.assignment_id = assignment_id
    items, total = submissions.list_page(session, settings, user, filters, offset, limit)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{submissionId}",
    response_model=SubmissionPackage,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 422),
)
def get_submission(
    submission_id: SubmissionId, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> SubmissionPackage:
    """The full package: text (and file metadata), evaluation, status, timestamps and every
    version. Students get their own submission with feedback and rubric labels only."""
    found = submissions.get_visible(session, user, submission_id)
    return submissions.package(session, settings, found)


@router.get(
    "/{submissionId}/versions/{version}",
    response_model=VersionView,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 422),
)
def get_version(
    submission_id: SubmissionId,
    version: str,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> VersionView:
    """One version (`v2` or `2`) with its own text and evaluation."""
    found = submissions.get_visible(session, user, submission_id)
    number = version.lower().removeprefix("v")
    package = submissions.package(session, settings, found)
    match = next((v for v in package.versions if str(v.number) == number), None)
    if match is None:
        raise NotFound("No such version.")
    match.submissionId = submission_id
    return match


@router.post(
    "/{submissionId}/resubmit",
    response_model=SubmitResponse,
    response_model_exclude_unset=True,
    dependencies=[Depends(rate_limited("evaluate"))],
    responses={
        202: {"model": SubmitResponse, "description": "Queued (async mode)"},
        **error_responses(401, 403, 404, 409, 413, 422, 429),
    },
)
def resubmit(
    submission_id: SubmissionId,
    body: SubmitRequest,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> SubmitResponse:
    """A new version (v2, v3, ...) under the same id, evaluated like the first; earlier
    versions keep their own text and evaluation. The review status goes back to submitted."""
    outcome = workflow.resubmit(
        session, settings, user, submission_id, body.as_input(), request.state.request_id
    )
    response.status_code = outcome.status_code
    return outcome.reply


@router.post(
    "/{submissionId}/evaluate",
    response_model=SubmitResponse,
    response_model_exclude_unset=True,
    dependencies=[Depends(rate_limited("evaluate"))],
    responses={
        202: {"model": SubmitResponse, "description": "Queued (async mode)"},
        **error_responses(401, 403, 404, 409, 429),
    },
)
def reevaluate(
    submission_id: SubmissionId,
    user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> SubmitResponse:
    """Evaluate the current version again with today's engine, the assignment's current rubric
    and settings (sync 200 or async 202, as for a submit). For a failed evaluation, or after
    an upgrade; 409 while one is queued or running (unless it was asked for longer ago than
    AAIE_EVALUATION_STALE_S: its job died)."""
    outcome = workflow.reevaluate(session, settings, user, submission_id, request.state.request_id)
    response.status_code = outcome.status_code
    return outcome.reply


@router.patch(
    "/{submissionId}/status",
    response_model=StatusOut,
    responses=error_responses(401, 403, 404, 422),
)
def set_status(
    submission_id: SubmissionId,
    body: StatusUpdate,
    user: StaffUser,
    session: SessionDep,
    request: Request,
) -> StatusOut:
    """Record the teacher's decision (reviewed | needs_follow_up | archived), who and when."""
    submission, before = submissions.set_status(
        session, user, submission_id, ReviewStatus(body.status), body.note
    )
    audit.record(
        session,
        actor=user,
        action="submission.status",
        resource_type="submission",
        resource_id=submission.id,
        request_id=request.state.request_id,
        details={"from": str(before), "to": body.status},
    )
    return StatusOut(
        submissionId=submission.id,
        status=str(submission.status),
        status_note=submission.status_note,
        status_by=submission.status_by,
        status_at=submission.status_at,
    )


@router.put(
    "/{submissionId}/teacher-scores",
    response_model=TeacherScoresOut,
    responses=error_responses(401, 403, 404, 422),
)
def set_teacher_scores(
    submission_id: SubmissionId,
    body: TeacherScoresIn,
    user: StaffUser,
    session: SessionDep,
    request: Request,
) -> TeacherScoresOut:
    """The teacher's own grades of this essay (0-1 or a band label per criterion, and
    `overall`), replacing earlier ones. Once five essays of the assignment are graded, later
    evaluations of it move the built-in rubric scores onto the teacher's scale
    (`GET /api/assignments/{id}/calibration`). Never shown to the student."""
    submission = calibration.set_teacher_scores(session, user, submission_id, body.scores)
    _audit_grades(session, user, request, submission, "submission.teacher_scores")
    return _grades_out(submission)


@router.delete(
    "/{submissionId}/teacher-scores",
    response_model=TeacherScoresOut,
    responses=error_responses(401, 403, 404),
)
def clear_teacher_scores(
    submission_id: SubmissionId, user: StaffUser, session: SessionDep, request: Request
) -> TeacherScoresOut:
    """Withdraw this essay's grades from the assignment's calibration."""
    submission = calibration.clear_teacher_scores(session, user, submission_id)
    _audit_grades(session, user, request, submission, "submission.teacher_scores_cleared")
    return _grades_out(submission)


def _audit_grades(
    session: Session, user: User, request: Request, submission: Submission, action: str
) -> None:
    audit.record(
        session,
        actor=user,
        action=action,
        resource_type="submission",
        resource_id=submission.id,
        request_id=request.state.request_id,
        details={"criteria": sorted(submission.teacher_scores or {})},
    )


def _grades_out(submission: Submission) -> TeacherScoresOut:
    return TeacherScoresOut(
        submissionId=submission.id,
        teacher_scores=submission.teacher_scores,
        teacher_scores_version=submission.teacher_scores_version,
        teacher_scores_by=submission.teacher_scores_by,
        teacher_scores_at=submission.teacher_scores_at,
    )


@router.get(
    "/{submissionId}/download",
    responses={
        200: {
            "content": {"application/pdf": {}, "application/zip": {}},
            "description": "The report",
        },
        **error_responses(401, 403, 404, 422),
    },
)
def download(
    submission_id: SubmissionId,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    format: Annotated[Literal["pdf", "zip"], Query()] = "pdf",
) -> Response:
    """The evaluation report as a PDF, or a zip of that PDF, `evaluation.json` and the
    original files. A student gets the student version (feedback and rubric only)."""
    report = reports.download(
        session, settings, user, submission_id, format, request.state.request_id
    )
    return Response(
        report.content,
        media_type=report.media_type,
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )


@router.delete(
    "/{submissionId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_submission(
    submission_id: SubmissionId,
    user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """Remove every version, evaluation and uploaded file for good (teacher of the assignment
    or admin). The audit log keeps the fact (who, when), not the content."""
    found = submissions.get_staff_visible(session, user, submission_id)
    details = {
        "assignment_id": str(found.assignment.id),
        **deletion.delete_submission(session, settings, found.submission),
    }
    audit.record(
        session,
        actor=user,
        action="submission.delete",
        resource_type="submission",
        resource_id=submission_id,
        request_id=request.state.request_id,
        details=details,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)

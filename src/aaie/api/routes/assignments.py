"""Assignments (§11.3) and submitting to one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import func, select

from aaie.api.deps import (
    AssignmentId,
    CurrentUser,
    SessionDep,
    SettingsDep,
    StaffUser,
    SubmissionFilters,
    rate_limited,
)
from aaie.api.errors import error_responses
from aaie.api.paging import Offset
from aaie.api.schemas.workflow import (
    AssignmentCreate,
    AssignmentCreated,
    AssignmentOut,
    AssignmentPage,
    AssignmentUpdate,
    CalibrationOut,
    CriterionText,
    Page,
    RubricCheck,
    SubmitRequest,
    SubmitResponse,
)
from aaie.db.models import Assignment, Role, Submission, User
from aaie.errors import ValidationFailed
from aaie.services import assignments, audit, calibration, deletion, submissions
from aaie.services.visibility import future_scoring
from aaie.workflows import submissions as workflow

router = APIRouter(prefix="/api/assignments", tags=["assignments"])


def _out(session: SessionDep, user: User, assignment: Assignment) -> AssignmentOut:
    """The assignment as `user` sees it; the route leaves out the fields not set here
    (staff: owner_id, params, submission_count; a student: their submissionId)."""
    out = AssignmentOut(
        assignmentId=assignment.id,
        title=assignment.title,
        prompt_id=assignment.prompt_id,
        prompt_text=assignment.prompt_text,
        due_at=assignments.aware(assignment.due_at),
        is_open=assignments.is_open(assignment),
        rubric_criteria=assignments.criteria_names(assignment),
        rubric_text=[CriterionText(**c) for c in assignments.criteria_text(assignment)],
        created_at=assignments.aware(assignment.created_at),
        updated_at=assignments.aware(assignment.updated_at),
    )
    if user.role == Role.student:
        out.submissionId = session.scalar(
            select(Submission.id).where(
                Submission.assignment_id == assignment.id, Submission.student_id == user.id
            )
        )
    else:
        out.owner_id, out.params = assignment.owner_id, assignments.params_of(assignment)
        check = assignments.rubric_check(assignment)
        if check is not None:  # a custom rubric: how each criterion is scored
            out.rubric_check = [RubricCheck(**c) for c in check]
        out.submission_count = session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.assignment_id == assignment.id)
        )
    return out


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AssignmentCreated,
    responses=error_responses(401, 403, 422),
)
def create_assignment(
    body: AssignmentCreate, user: StaffUser, session: SessionDep, request: Request
) -> AssignmentCreated:
    """Create an assignment (teacher/admin). `params` holds the rubric (built-in "t2" or a
    custom one), `mode` sync|async, `similarity_flag_pct` and `future_scoring`."""
    assignment = assignments.create(
        session,
        user,
        title=body.title,
        prompt_id=body.prompt_id,
        prompt_text=body.prompt_text,
        due_at=body.due_at,
        params=body.params,
    )
    audit.record(
        session,
        actor=user,
        action="assignment.create",
        resource_type="assignment",
        resource_id=assignment.id,
        request_id=request.state.request_id,
    )
    check = assignments.rubric_check(assignment)
    return AssignmentCreated(
        assignmentId=assignment.id,
        rubric_check=[RubricCheck(**c) for c in check] if check is not None else None,
    )


@router.get(
    "",
    response_model=AssignmentPage,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 422),
)
def list_assignments(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> AssignmentPage:
    """Teachers: their own; admins: all; students: those open to them (not past due) and any
    they have submitted to. Newest first."""
    rows, total = assignments.list_for(session, user, offset, limit)
    items = [_out(session, user, a) for a in rows]
    return AssignmentPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{assignmentId}",
    response_model=AssignmentOut,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 422),
)
def get_assignment(
    assignment_id: AssignmentId, user: CurrentUser, session: SessionDep
) -> AssignmentOut:
    assignment = assignments.get_visible(session, user, assignment_id)
    return _out(session, user, assignment)


@router.put(
    "/{assignmentId}",
    response_model=AssignmentOut,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 422),
)
def update_assignment(
    assignment_id: AssignmentId,
    body: AssignmentUpdate,
    user: StaffUser,
    session: SessionDep,
    request: Request,
) -> AssignmentOut:
    """Change the fields sent (owner or admin). Existing evaluations are not re-run."""
    assignment = assignments.get_managed(session, user, assignment_id)
    changes = body.model_dump(exclude_unset=True)
    for key in ("title", "params"):  # null: leave as it is (a null params was a 500)
        if key in changes and changes[key] is None:
            changes.pop(key)
    assignments.update(session, assignment, changes)
    audit.record(
        session,
        actor=user,
        action="assignment.update",
        resource_type="assignment",
        resource_id=assignment.id,
        request_id=request.state.request_id,
        details={"fields": sorted(changes)},
    )
    return _out(session, user, assignment)


@router.delete(
    "/{assignmentId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_assignment(
    assignment_id: AssignmentId,
    user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    """Delete the assignment and, for good, every submission, evaluation and file of it."""
    assignment = assignments.get_managed(session, user, assignment_id)
    counts = deletion.delete_assignment(session, settings, assignment)
    audit.record(
        session,
        actor=user,
        action="assignment.delete",
        resource_type="assignment",
        resource_id=assignment_id,
        request_id=request.state.request_id,
        details=counts,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{assignmentId}/submit",
    response_model=SubmitResponse,
    response_model_exclude_unset=True,
    dependencies=[Depends(rate_limited("evaluate"))],
    responses={
        202: {"model": SubmitResponse, "description": "Queued (async mode)"},
        **error_responses(401, 403, 404, 409, 413, 422, 429),
    },
)
def submit(
    assignment_id: AssignmentId,
    body: SubmitRequest,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> SubmitResponse:
    """Submit work and evaluate it. Sync (default) → 200 with the evaluation; an assignment
    in async mode → 202 `{submissionId, version, status: "queued"}`; poll
    GET /api/submissions/{id}. A student submits their own work (once per assignment; then
    resubmit); a teacher/admin submits for a student with `student_id`."""
    outcome = workflow.submit(
        session, settings, user, assignment_id, body.as_input(), request.state.request_id
    )
    response.status_code = outcome.status_code
    return outcome.reply


@router.get(
    "/{assignmentId}/submissions",
    response_model=Page,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 422),
)
def list_submissions(
    assignment_id: AssignmentId,
    user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    filters: SubmissionFilters,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> Page:
    """The class view (teacher of the assignment, admin): filter by `status`, `label`
    (Human|AI|Hybrid) and `flagged` (similarity flag; needs future_scoring), newest first."""
    assignment = assignments.get_managed(session, user, assignment_id)
    filters.assignment_id = assignment.id
    if filters.flagged is not None and not future_scoring(assignment, settings):
        raise ValidationFailed(
            "The flagged filter needs future_scoring on for this "
            "assignment (similarity is not shown without it)."
        )
    items, total = submissions.list_page(session, settings, user, filters, offset, limit)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{assignmentId}/calibration",
    response_model=CalibrationOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_calibration(
    assignment_id: AssignmentId, user: StaffUser, session: SessionDep
) -> CalibrationOut:
    """How the built-in rubric scores of this assignment follow its teacher's grades: per
    criterion the number of graded essays, whether the calibration is active (five or more),
    the fitted line, and the mean gap to the teacher's grades before and after it on the
    graded essays (in-sample)."""
    assignment = assignments.get_managed(session, user, assignment_id)
    return CalibrationOut.model_validate(calibration.report(session, assignment))

"""Rosters (enrol students by e-mail or CSV), the class table, and a teacher's students.

Teacher of the assignment or admin; other teachers get 404, students 403 (as for the class
view). New accounts are students with a temporary password returned once to the enroller."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from aaie.api.deps import AssignmentId, SessionDep, SettingsDep, StaffUser
from aaie.api.errors import error_responses
from aaie.api.schemas.roster import EnrolRequest, EnrolResponse, RosterOut, StudentList
from aaie.api.uploads import Upload, multipart_body, read_upload
from aaie.db.models import Assignment, User
from aaie.services import assignments, audit, roster, visibility
from aaie.services.roster import EnrolResult, RosterEntry

router = APIRouter(tags=["roster"])
StudentId = Annotated[uuid.UUID, Path(alias="studentId", description="a student's user id")]
MAX_CSV_BYTES = 1024 * 1024


async def _csv_upload(request: Request, _: StaffUser) -> Upload:
    # Depends on StaffUser so anonymous callers and students are refused before the body is read.
    return await read_upload(request, MAX_CSV_BYTES)


def _audit(
    session: SessionDep, user: User, request: Request, assignment: Assignment, done: EnrolResult
) -> None:
    audit.record(
        session,
        actor=user,
        action="assignment.enrol",
        resource_type="assignment",
        resource_id=assignment.id,
        request_id=request.state.request_id,
        details={
            "enrolled": len(done.enrolled),
            "created": len(done.created),
            "errors": len(done.errors),
        },
    )


def _response(done: EnrolResult) -> EnrolResponse:
    return EnrolResponse.model_validate(
        {
            "enrolled": done.enrolled,
            "already": done.already,
            "created": done.created,
            "errors": done.errors,
        }
    )


@router.get(
    "/api/assignments/{assignmentId}/roster",
    response_model=RosterOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_roster(
    assignment_id: AssignmentId, user: StaffUser, session: SessionDep, settings: SettingsDep
) -> RosterOut:
    """The class table: every enrolled student and everyone who submitted, with their
    submission's version, review status, label and confidence, rubric labels, and (with
    future_scoring) AI score, similarity % and flag; `submission` is null until they submit."""
    assignment = assignments.get_managed(session, user, assignment_id)
    rows = roster.class_table(session, settings, assignment)
    return RosterOut.model_validate(
        {
            "assignmentId": assignment.id,
            "future_scoring": visibility.future_scoring(assignment, settings),
            "items": rows,
            "total": len(rows),
        }
    )


@router.post(
    "/api/assignments/{assignmentId}/roster",
    response_model=EnrolResponse,
    responses=error_responses(401, 403, 404, 422),
)
def enrol_students(
    assignment_id: AssignmentId,
    body: EnrolRequest,
    user: StaffUser,
    session: SessionDep,
    request: Request,
) -> EnrolResponse:
    """Enrol students by e-mail (with an optional name). Unknown e-mails get a student account
    with a temporary password (in `created`, shown once); a row that cannot be enrolled (bad
    e-mail, a staff account, listed twice) is reported in `errors` and the rest still go in."""
    assignment = assignments.get_managed(session, user, assignment_id)
    entries = [RosterEntry(email=s.email, name=s.name) for s in body.students]
    done = roster.enrol(session, user, assignment, entries)
    _audit(session, user, request, assignment, done)
    return _response(done)


@router.post(
    "/api/assignments/{assignmentId}/roster/csv",
    response_model=EnrolResponse,
    openapi_extra=multipart_body("file", "CSV roster: name and e-mail columns"),
    responses=error_responses(401, 403, 404, 413, 422),
)
def enrol_from_csv(
    assignment_id: AssignmentId,
    user: StaffUser,
    upload: Annotated[Upload, Depends(_csv_upload)],
    session: SessionDep,
    request: Request,
) -> EnrolResponse:
    """Enrol from a CSV roster (multipart field `file`): a header row naming `name` and
    `email` columns, or rows of name and e-mail. Errors are reported per CSV row."""
    assignment = assignments.get_managed(session, user, assignment_id)
    entries, unreadable = roster.parse_csv(upload.data)
    done = roster.enrol(session, user, assignment, entries)
    done.errors = sorted([*unreadable, *done.errors], key=lambda e: e.get("row") or 0)
    _audit(session, user, request, assignment, done)
    return _response(done)


@router.delete(
    "/api/assignments/{assignmentId}/roster/{studentId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def unenrol_student(
    assignment_id: AssignmentId,
    student_id: StudentId,
    user: StaffUser,
    session: SessionDep,
    request: Request,
) -> Response:
    """Take a student off the roster; a submission they made stays."""
    assignment = assignments.get_managed(session, user, assignment_id)
    roster.unenrol(session, assignment, student_id)
    audit.record(
        session,
        actor=user,
        action="assignment.unenrol",
        resource_type="assignment",
        resource_id=assignment.id,
        request_id=request.state.request_id,
        details={"student_id": str(student_id)},
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/students", response_model=StudentList, responses=error_responses(401, 403))
def list_students(user: StaffUser, session: SessionDep) -> StudentList:
    """A teacher's own students (on the roster of, or submitted to, one of their assignments),
    with which of the teacher's assignments each is on; an admin gets every student."""
    items = roster.students_of(session, user)
    return StudentList.model_validate({"items": items, "total": len(items)})

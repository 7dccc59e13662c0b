"""The downloadable report of a submission: the visibility-filtered package rendered as a PDF,
or a zip of that PDF, `evaluation.json` and the original files. A student gets the student
version (feedback and rubric only): the package is built by `services.visibility`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.models import User
from aaie.reports import render_pdf, render_zip
from aaie.reports.filename import report_filename
from aaie.services import audit, visibility
from aaie.services import submissions as submission_service


@dataclass(frozen=True)
class Report:
    content: bytes
    media_type: str
    filename: str


def download(
    session: Session,
    settings: Settings,
    user: User,
    submission_id: uuid.UUID,
    format: Literal["pdf", "zip"],
    request_id: str | None,
) -> Report:
    found = submission_service.get_visible(session, user, submission_id)
    view = submission_service.package(session, settings, found)
    package = visibility.body(view)  # the JSON the API would send this caller
    pdf = render_pdf(package)
    # Named after the student and the assignment (a student's own e-mail for their copy).
    email = package.get("student_email") if found.audience == "teacher" else user.email
    filename = report_filename(package, email, format)
    if format == "zip":
        originals = submission_service.original_files(session, settings, found.submission)
        report = Report(render_zip(package, pdf, originals), "application/zip", filename)
    else:
        report = Report(pdf, "application/pdf", filename)
    audit.record(
        session,
        actor=user,
        action="submission.download",
        resource_type="submission",
        resource_id=submission_id,
        request_id=request_id,
        details={"format": format, "audience": str(found.audience)},
    )
    return report

"""All ORM models; importing this package registers every table on `Base.metadata`."""

from aaie.db.models.assignment import Assignment
from aaie.db.models.audit import AuditEvent
from aaie.db.models.enrolment import Enrolment
from aaie.db.models.file import StoredFile
from aaie.db.models.submission import (
    EvaluationStatus,
    ReviewStatus,
    Submission,
    SubmissionVersion,
)
from aaie.db.models.user import Role, User

__all__ = [
    "Assignment",
    "AuditEvent",
    "Enrolment",
    "EvaluationStatus",
    "ReviewStatus",
    "Role",
    "StoredFile",
    "Submission",
    "SubmissionVersion",
    "User",
]

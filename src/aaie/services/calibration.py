"""A teacher's grades on submissions, and the rubric calibration they give an assignment.

A teacher grades a few essays of an assignment (`PUT /api/submissions/{id}/teacher-scores`);
once MIN_GRADED essays carry a grade for a criterion, the built-in scores of every later
evaluation of that assignment are moved onto the teacher's scale for that criterion
(`engine.rubric.calibration`). Submissions evaluated earlier keep their scores until they are
re-evaluated. An assignment can turn it off with `params.calibrate_rubric: false`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aaie.db.base import utcnow
from aaie.db.models import Assignment, EvaluationStatus, Submission, SubmissionVersion, User
from aaie.engine.rubric.calibration import (
    MIN_GRADED,
    OVERALL,
    Calibration,
    LinearMap,
    builtin_scores,
    fit_calibration,
    teacher_score,
)
from aaie.engine.rubric.types import RubricResult
from aaie.errors import ValidationFailed
from aaie.services import assignments as assignment_service
from aaie.services import submissions as submission_service

GradedPair = tuple[dict[str, float], dict[str, float]]


def set_teacher_scores(
    session: Session, user: User, submission_id: uuid.UUID, scores: Mapping[str, float | str]
) -> Submission:
    """Store the teacher's grades (0-1 numbers or band labels) by criterion and `overall`.
    Replaces earlier grades of this submission. 422 names unknown criteria and bad values."""
    found = submission_service.get_staff_visible(session, user, submission_id)
    allowed = [*assignment_service.criteria_names(found.assignment), OVERALL]
    unknown = sorted(set(scores) - set(allowed))
    if unknown:
        raise ValidationFailed(
            "Grades must name this assignment's criteria or 'overall'.",
            details={"unknown": unknown, "allowed": allowed},
        )
    normalised: dict[str, float] = {}
    for name, value in scores.items():
        try:
            normalised[name] = teacher_score(value)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                f"Grade for {name!r}: {exc}", details={"criterion": name}
            ) from None
    submission = found.submission
    submission.teacher_scores = normalised
    submission.teacher_scores_version = submission.current_version
    submission.teacher_scores_by, submission.teacher_scores_at = user.id, utcnow()
    session.flush()
    return submission


def clear_teacher_scores(session: Session, user: User, submission_id: uuid.UUID) -> Submission:
    submission = submission_service.get_staff_visible(session, user, submission_id).submission
    submission.teacher_scores = None
    submission.teacher_scores_version = None
    submission.teacher_scores_by, submission.teacher_scores_at = user.id, utcnow()
    session.flush()
    return submission


def graded_pairs(
    session: Session, assignment_id: uuid.UUID, exclude: uuid.UUID | None = None
) -> list[GradedPair]:
    """(built-in scores, teacher grades) of every graded submission of the assignment, the
    scores from the version the grades were given for, when it has a built-in rubric result;
    `exclude` leaves one submission out (an essay's own grade never calibrates its own
    score)."""
    query = (
        select(Submission.teacher_scores, SubmissionVersion.evaluation)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id)
            & (
                SubmissionVersion.number
                == func.coalesce(Submission.teacher_scores_version, Submission.current_version)
            ),
        )
        .where(
            Submission.assignment_id == assignment_id,
            Submission.teacher_scores.is_not(None),
            SubmissionVersion.evaluation_status == EvaluationStatus.done,
        )
        .order_by(Submission.created_at, Submission.id)
    )
    if exclude is not None:
        query = query.where(Submission.id != exclude)
    rows = session.execute(query).all()
    pairs = []
    for teacher, evaluation in rows:
        rubric = (evaluation or {}).get("rubric")
        if teacher and isinstance(rubric, dict) and rubric.get("engine") == "builtin":
            pairs.append((builtin_scores(RubricResult.model_validate(rubric)), dict(teacher)))
    return pairs


def enabled(assignment: Assignment) -> bool:
    return assignment_service.params_of(assignment).calibrate_rubric is not False


def assignment_calibration(
    session: Session, assignment: Assignment, exclude: uuid.UUID | None = None
) -> Calibration | None:
    """The maps to apply to this assignment's next evaluation, or None (off, or too few
    graded essays)."""
    if not enabled(assignment):
        return None
    return fit_calibration(graded_pairs(session, assignment.id, exclude))


def report(session: Session, assignment: Assignment) -> dict[str, Any]:
    """What `GET /api/assignments/{id}/calibration` shows: per criterion how many essays are
    graded, the fitted line, and the mean gap between built-in scores and the teacher's
    grades on those essays before and after the line (in-sample: the line was fitted on
    them, so "after" is optimistic)."""
    pairs = graded_pairs(session, assignment.id)
    calibration = fit_calibration(pairs)
    maps = calibration.maps if calibration else {}
    on = enabled(assignment)
    criteria = []
    for name in [*assignment_service.criteria_names(assignment), OVERALL]:
        both = [(b[name], t[name]) for b, t in pairs if name in b and name in t]
        line = maps.get(name)
        criteria.append(
            {
                "name": name,
                "graded": len(both),
                "active": line is not None and on,
                "slope": round(line.slope, 4) if line else None,
                "intercept": round(line.intercept, 4) if line else None,
                "mean_gap_before": _mean_gap(both, None),
                "mean_gap_after": _mean_gap(both, line) if line else None,
            }
        )
    return {
        "assignmentId": str(assignment.id),
        "enabled": on,
        "min_graded": MIN_GRADED,
        "graded_essays": len(pairs),
        "criteria": criteria,
    }


def _mean_gap(both: list[tuple[float, float]], line: LinearMap | None) -> float | None:
    if not both:
        return None
    gaps = [abs((line(b) if line else b) - t) for b, t in both]
    return round(sum(gaps) / len(gaps), 4)

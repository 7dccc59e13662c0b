"""Calibrating the built-in scores of one assignment to its teacher's own grades.

On a prompt it was not trained on, the built-in scorer ranks essays fairly (rank correlation
0.52-0.77 per held-out prompt) but cannot know where this teacher's scores sit or how widely
they spread: QWK 0.49, against 0.67 with each prompt's true level and spread. A few essays the
teacher grades fix most of that. Per criterion (and for the overall score), a straight line
from the built-in score to the teacher's, its slope shrunk toward 1, so that a handful of
essays moves the level more than the spread. Simulated on held-out prompts
(`bench/scoring_new_prompt.py`, which uses `fit_linear_map` below): QWK 0.49 -> 0.61 with five
graded essays per prompt, 0.63 with twenty.

Only built-in results are calibrated: an LLM's scores are on another scale than the one the
maps were fitted on. The maps are always fitted on built-in scores before calibration, which
a calibrated result keeps in `calibration.raw_scores`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, Field

from aaie.engine.rubric.types import (
    BAND_MIDPOINTS,
    LABELS,
    AppliedCalibration,
    CriterionResult,
    RubricResult,
    label_for,
)

OVERALL = "overall"
MIN_GRADED = 5  # the smallest number the benchmark measured; fewer essays are not used
SLOPE_PRIOR = 10  # belief in slope 1, worth this many graded essays
SLOPE_RANGE = (0.3, 2.0)


class LinearMap(BaseModel):
    """teacher score ≈ intercept + slope × built-in score, fitted on `graded` essays."""

    slope: float
    intercept: float
    graded: int = Field(ge=1)

    def __call__(self, score: float) -> float:
        return float(np.clip(self.intercept + self.slope * score, 0.0, 1.0))


class Calibration(BaseModel):
    """One assignment's maps, by criterion name (as in its rubric) and `overall`."""

    maps: dict[str, LinearMap]

    @property
    def graded_essays(self) -> int:
        return max((m.graded for m in self.maps.values()), default=0)


def fit_linear_map(builtin: Sequence[float], teacher: Sequence[float]) -> LinearMap:
    """Least squares, the slope clipped to SLOPE_RANGE and shrunk toward 1 by k / (k + 10);
    the line goes through the means, so the level always follows the teacher."""
    p, y = np.asarray(builtin, dtype=float), np.asarray(teacher, dtype=float)
    if len(p) == 0 or len(p) != len(y):
        raise ValueError("need the same, non-zero number of built-in and teacher scores")
    slope = float(np.clip(np.polyfit(p, y, 1)[0], *SLOPE_RANGE)) if p.std() > 1e-6 else 1.0
    weight = len(p) / (len(p) + SLOPE_PRIOR)
    slope = weight * slope + (1 - weight)
    return LinearMap(slope=slope, intercept=float(y.mean() - slope * p.mean()), graded=len(p))


def teacher_score(value: float | str) -> float:
    """A teacher's grade on the 0-1 scale: a number as it is, a band label as its midpoint."""
    if isinstance(value, str):
        if value not in LABELS:
            raise ValueError(f"a grade is a number from 0 to 1 or one of {', '.join(LABELS)}")
        return BAND_MIDPOINTS[value]
    if isinstance(value, bool) or not 0.0 <= float(value) <= 1.0:
        raise ValueError("a numeric grade must lie between 0 and 1")
    return float(value)


def builtin_scores(result: RubricResult) -> dict[str, float]:
    """The built-in scorer's own scores of a result (before any calibration), by name."""
    if result.calibration is not None:
        return dict(result.calibration.raw_scores)
    out = {c.name: c.score for c in result.criteria if c.score is not None}
    if result.overall_score is not None:
        out[OVERALL] = result.overall_score
    return out


def fit_calibration(
    graded: Iterable[tuple[Mapping[str, float], Mapping[str, float]]],
) -> Calibration | None:
    """Maps from (built-in scores, teacher scores) pairs, one per graded essay. A criterion
    gets a map once MIN_GRADED essays have both; None when none has."""
    pairs: dict[str, tuple[list[float], list[float]]] = {}
    for builtin, teacher in graded:
        for name, grade in teacher.items():
            if name in builtin:
                p, y = pairs.setdefault(name, ([], []))
                p.append(builtin[name])
                y.append(grade)
    maps = {name: fit_linear_map(p, y) for name, (p, y) in pairs.items() if len(p) >= MIN_GRADED}
    return Calibration(maps=maps) if maps else None


def calibrate(result: RubricResult, calibration: Calibration | None) -> RubricResult:
    """The result with every mapped score moved onto the teacher's scale (labels follow);
    the evidence says so. Results of other engines, and results already calibrated, are
    returned unchanged."""
    if calibration is None or result.engine != "builtin" or result.calibration is not None:
        return result
    raw = builtin_scores(result)
    moved = {n: calibration.maps[n](s) for n, s in raw.items() if n in calibration.maps}
    if not moved:
        return result
    criteria = [
        _moved_criterion(c, raw[c.name], moved[c.name], calibration.maps[c.name].graded)
        if c.name in moved
        else c
        for c in result.criteria
    ]
    overall = moved.get(OVERALL, result.overall_score)
    graded = calibration.graded_essays
    note = f"Scores adjusted to the teacher's grades of {graded} essays of this assignment."
    return result.model_copy(
        update={
            "criteria": criteria,
            "overall_score": round(overall, 4) if overall is not None else None,
            "overall_label": label_for(overall) if overall is not None else None,
            "compact": {c.name: c.label for c in criteria},
            "notes": [*result.notes, note],
            "calibration": AppliedCalibration(graded_essays=graded, raw_scores=raw),
        }
    )


def _moved_criterion(c: CriterionResult, raw: float, moved: float, graded: int) -> CriterionResult:
    evidence = (
        f"adjusted to the teacher's grading of {graded} essays of this assignment "
        f"(built-in score {raw:.2f} -> {moved:.2f})"
    )
    return c.model_copy(
        update={
            "score": round(moved, 4),
            "label": label_for(moved),
            "evidence": [evidence, *c.evidence],
        }
    )

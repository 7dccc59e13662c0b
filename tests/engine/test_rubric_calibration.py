"""Calibrating built-in rubric scores to a teacher's grades (engine.rubric.calibration)."""

from __future__ import annotations

import pytest

from aaie.engine.pipeline import evaluate_all
from aaie.engine.rubric import rubric_score
from aaie.engine.rubric.calibration import (
    MIN_GRADED,
    Calibration,
    LinearMap,
    builtin_scores,
    calibrate,
    fit_calibration,
    fit_linear_map,
    teacher_score,
)
from tests.engine.test_rubric import ESSAY, PROMPT

BUILTIN = [0.2, 0.35, 0.5, 0.6, 0.8]


def test_a_constant_offset_is_learned_exactly() -> None:
    line = fit_linear_map(BUILTIN, [b + 0.1 for b in BUILTIN])
    assert line.slope == pytest.approx(1.0)
    assert line(0.4) == pytest.approx(0.5)
    assert line.graded == 5


def test_a_few_essays_move_the_slope_only_part_of_the_way() -> None:
    # The teacher spreads scores twice as widely; five essays move the slope a third of the
    # way there (weight 5 / (5 + 10)), and the line still passes through the means.
    teacher = [2 * b - 0.5 for b in BUILTIN]
    line = fit_linear_map(BUILTIN, teacher)
    assert line.slope == pytest.approx(1 / 3 * 2 + 2 / 3 * 1)
    mean_b, mean_t = sum(BUILTIN) / 5, sum(teacher) / 5
    assert line(mean_b) == pytest.approx(mean_t)
    many = fit_linear_map(BUILTIN * 20, teacher * 20)
    assert 1.8 < many.slope < 2.0


def test_identical_builtin_scores_give_a_level_shift_and_scores_stay_in_range() -> None:
    line = fit_linear_map([0.5] * 5, [0.9, 1.0, 0.95, 1.0, 0.9])
    assert line.slope == 1.0
    assert line(0.9) == 1.0
    with pytest.raises(ValueError):
        fit_linear_map([], [])


def test_a_criterion_needs_enough_graded_essays() -> None:
    pairs = [({"Structure": b, "Clarity": b}, {"Structure": b + 0.1}) for b in BUILTIN]
    pairs += [({"Structure": 0.5, "Clarity": 0.5}, {"Clarity": 0.2})] * (MIN_GRADED - 1)
    calibration = fit_calibration(pairs)
    assert calibration is not None
    assert set(calibration.maps) == {"Structure"}
    assert fit_calibration(pairs[: MIN_GRADED - 1]) is None


@pytest.mark.parametrize(
    ("grade", "score"), [("Good", 0.625), ("Poor", 0.125), (0.3, 0.3), (1, 1.0)]
)
def test_teacher_grades_are_numbers_or_band_labels(grade: float | str, score: float) -> None:
    assert teacher_score(grade) == score


@pytest.mark.parametrize("grade", [1.2, -0.1, "Great", True])
def test_other_grades_are_refused(grade: float | str) -> None:
    with pytest.raises(ValueError):
        teacher_score(grade)


def shift(name: str, by: float) -> Calibration:
    return Calibration(maps={name: LinearMap(slope=1.0, intercept=by, graded=6)})


def test_calibrated_scores_move_labels_and_evidence_and_keep_the_builtin_ones() -> None:
    raw = rubric_score(ESSAY, PROMPT)
    moved = calibrate(raw, shift("Structure", 0.3))
    before, after = raw.criterion("Structure"), moved.criterion("Structure")
    assert before is not None and after is not None
    assert before.score is not None and after.score is not None
    assert after.score == pytest.approx(min(1.0, before.score + 0.3), abs=1e-4)
    assert moved.compact["Structure"] == after.label
    assert "6 essays" in after.evidence[0] and after.evidence[1:] == before.evidence
    assert moved.criterion("Clarity") == raw.criterion("Clarity")
    assert moved.calibration is not None
    assert moved.calibration.raw_scores == builtin_scores(raw)
    # A calibrated result is never moved twice.
    assert calibrate(moved, shift("Structure", 0.3)) is moved


def test_llm_results_are_not_calibrated() -> None:
    raw = rubric_score(ESSAY, PROMPT).model_copy(update={"engine": "llm:test"})
    assert calibrate(raw, shift("overall", 0.3)) is raw


def test_the_pipeline_scores_and_writes_feedback_with_the_calibration() -> None:
    plain = evaluate_all(ESSAY, PROMPT, use_cache=False)
    down = evaluate_all(ESSAY, PROMPT, calibration=shift("overall", -0.4))
    assert down.rubric is not None and plain.rubric is not None
    assert down.rubric.overall_score is not None and plain.rubric.overall_score is not None
    assert down.rubric.overall_score == pytest.approx(
        max(0.0, plain.rubric.overall_score - 0.4), abs=1e-4
    )
    assert down.cache_key != plain.cache_key

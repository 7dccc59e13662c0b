"""Rubric scoring on Structure, Clarity, Relevance and AcademicWriting (or a custom rubric).

`rubric_score` runs the built-in scorer (trained on ASAP + ELLIPSE, shipped in `artifacts/`) or,
when a provider is given, an OpenAI-compatible LLM with fallback to the built-in scorer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aaie.engine.analysis import TextAnalysis, ensure_analysis
from aaie.engine.rubric.types import (
    BAND_CUTOFFS,
    BASE_CRITERIA,
    LABELS,
    CriterionResult,
    Label,
    RubricCriterionSpec,
    RubricResult,
    RubricSpec,
    label_for,
    parse_rubric,
)

if TYPE_CHECKING:
    from aaie.engine.providers import LLMProvider
    from aaie.engine.rubric.calibration import Calibration

__all__ = [
    "BAND_CUTOFFS",
    "BASE_CRITERIA",
    "LABELS",
    "CriterionResult",
    "Label",
    "RubricCriterionSpec",
    "RubricResult",
    "RubricSpec",
    "label_for",
    "parse_rubric",
    "rubric_check",
    "rubric_score",
]


def rubric_check(rubric: RubricSpec | dict | list | None) -> list[dict[str, object]]:
    """How the built-in scorer will score each criterion of a rubric, said when the rubric is
    saved: per criterion `name`, `scorable`, `how` (in plain words: how it is scored, or why it
    cannot be), `scored_from` (built-in criterion -> weight of the blend; empty when not
    scorable) and `detail` (the measurement behind an unscorable verdict)."""
    spec = parse_rubric(rubric)
    if spec is None:
        return [
            {
                "name": b,
                "scorable": True,
                "how": "a built-in criterion, trained on human scores",
                "scored_from": {b: 1.0},
            }
            for b in BASE_CRITERIA
        ]
    from aaie.engine.rubric.mapping import map_criterion

    out: list[dict[str, object]] = []
    for c in spec.criteria:
        m = map_criterion(c)
        entry: dict[str, object] = {
            "name": c.name,
            "scorable": m.maps_to is not None,
            "how": m.reason,
            "scored_from": dict(m.weights),
        }
        if m.detail:
            entry["detail"] = m.detail
        out.append(entry)
    return out


def rubric_score(
    student_submission: str,
    prompt_text: str | None = None,
    rubric: RubricSpec | dict | list | None = None,
    *,
    analysis: TextAnalysis | None = None,
    provider: LLMProvider | None = None,
    calibration: Calibration | None = None,
) -> RubricResult:
    """Score an essay. Raises ValueError for empty text or a malformed rubric.

    With `provider`, the LLM scores it (criteria passed verbatim); on any provider failure the
    built-in scorer answers and `fallback_reason` says why. With `calibration` (an
    assignment's maps fitted on its teacher's grades, `rubric.calibration`), built-in scores
    are moved onto the teacher's scale.
    """
    if not student_submission or not student_submission.strip():
        raise ValueError("student_submission is empty")
    spec = parse_rubric(rubric)
    prompt = prompt_text if prompt_text and prompt_text.strip() else None
    from aaie.engine.providers.fallback import llm_or_builtin
    from aaie.engine.rubric.builtin import score_builtin
    from aaie.engine.rubric.calibration import calibrate
    from aaie.engine.rubric.llm import score_with_llm

    result = llm_or_builtin(
        provider,
        lambda p: score_with_llm(p, student_submission, prompt, spec),
        lambda: score_builtin(ensure_analysis(student_submission, analysis), prompt, spec),
    )
    return calibrate(result, calibration)

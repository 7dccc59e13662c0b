"""Rubric scoring through an OpenAI-compatible LLM (custom criteria are passed verbatim)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from aaie.engine.providers import LLMProvider, redact_for_llm
from aaie.engine.rubric.mapping import BASE_DESCRIPTIONS
from aaie.engine.rubric.types import (
    BAND_CUTOFFS,
    BAND_MIDPOINTS,
    CriterionResult,
    Label,
    RubricCriterionSpec,
    RubricResult,
    RubricSpec,
    label_for,
)

SYSTEM = (
    "You are an experienced, fair writing teacher. Score the student's essay on each rubric "
    "criterion with one label: Excellent, Good, Fair or Poor, a score from 0 to 1 "
    "(Excellent >= 0.75, Good >= 0.5, Fair >= 0.25, Poor below), and one or two short pieces of "
    "evidence quoting the essay. Judge only the writing against the prompt and the rubric. "
    "Reply with one JSON object only."
)


class LLMCriterion(BaseModel):
    label: Label
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list, max_length=5)


def reply_model(criteria: list[RubricCriterionSpec]) -> type[BaseModel]:
    """The reply schema for these criteria: one REQUIRED property per criterion name, so a
    grammar-constrained server (llama.cpp) cannot skip one, and validation rejects a reply
    that does."""
    fields: dict[str, Any] = {
        f"c{i}": (LLMCriterion, Field(alias=c.name)) for i, c in enumerate(criteria)
    }
    scores = create_model("RubricScores", __config__=ConfigDict(populate_by_name=True), **fields)
    return create_model(
        "LLMRubricReply",
        criteria=(scores, ...),
        overall_score=(float | None, Field(default=None, ge=0.0, le=1.0)),
    )


def default_criteria() -> list[RubricCriterionSpec]:
    return [RubricCriterionSpec(name=k, description=v) for k, v in BASE_DESCRIPTIONS.items()]


def build_messages(
    essay_redacted: str, prompt_text: str | None, criteria: list[RubricCriterionSpec]
) -> list[dict[str, str]]:
    rubric = [c.model_dump(exclude_none=True) for c in criteria]  # verbatim, as the teacher wrote
    example = {
        "criteria": {
            c.name: {"label": "Good", "score": 0.6, "evidence": ["..."]} for c in criteria
        },
        "overall_score": 0.6,
    }
    user = (
        f"Assignment prompt:\n{prompt_text or '(none given)'}\n\n"
        f"Rubric criteria (score every one, keep the names exactly):\n"
        f"{json.dumps(rubric, ensure_ascii=False, indent=1)}\n\n"
        f"Student essay:\n<<<\n{essay_redacted}\n>>>\n\n"
        f"Answer in this JSON shape: {json.dumps(example)}"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def _in_band(label: Label, score: float | None) -> float:
    """The LLM's score if it agrees with its label, else the label's band midpoint."""
    if score is not None and label_for(score) == label:
        return score
    return BAND_MIDPOINTS[label]


def score_with_llm(
    provider: LLMProvider, essay: str, prompt_text: str | None, spec: RubricSpec | None
) -> RubricResult:
    """Raises LLMError on any provider failure (the caller falls back to the built-in scorer)."""
    criteria = spec.criteria if spec is not None else default_criteria()
    messages = build_messages(redact_for_llm(essay), prompt_text, criteria)
    reply: Any = provider.chat_json(messages, reply_model(criteria))
    results = []
    for i, c in enumerate(criteria):
        got: LLMCriterion = getattr(reply.criteria, f"c{i}")
        score = _in_band(got.label, got.score)
        results.append(
            CriterionResult(
                name=c.name,
                label=got.label,
                score=round(score, 4),
                evidence=got.evidence,
                scorable=True,
                maps_to=c.name if spec is None else None,
            )
        )
    overall = reply.overall_score
    if overall is None:
        overall = sum(r.score or 0.0 for r in results) / len(results)
    assert BAND_CUTOFFS  # cut-offs are shared with the built-in scorer
    return RubricResult(
        criteria=results,
        overall_score=round(overall, 4),
        overall_label=label_for(overall),
        compact={r.name: r.label for r in results},
        engine=provider.engine_name,
    )

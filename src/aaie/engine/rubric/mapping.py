"""Map a teacher's custom criteria onto the four criteria the built-in scorer can judge.

Keywords first (a criterion called "Grammar and spelling" is AcademicWriting, whatever the
embedding says), then MiniLM similarity of "name: description" to each base description.
Below the similarity floor the criterion is reported as not scorable, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from aaie.engine.embeddings import get_embedder
from aaie.engine.rubric.types import BASE_CRITERIA, RubricCriterionSpec

BASE_DESCRIPTIONS: dict[str, str] = {
    "Structure": "Organization: a clear introduction, body paragraphs and conclusion; ideas in a "
    "logical order linked by transitions; coherent paragraphs.",
    "Clarity": "Clear, fluent sentences that are easy to follow; concise phrasing; varied and "
    "well-formed sentence structure.",
    "Relevance": "Addresses the prompt and the task; stays on topic; develops ideas and "
    "arguments with relevant content, examples and evidence.",
    "AcademicWriting": "Conventions of academic writing: grammar, spelling, punctuation, precise "
    "vocabulary and word choice, formal tone.",
}
KEYWORDS: dict[str, tuple[str, ...]] = {
    "Structure": (
        "structur",
        "organi",
        "paragraph",
        "introduc",
        "conclu",
        "transition",
        "cohes",
        "coheren",
        "flow",
        "sequenc",
        "layout",
    ),
    "Clarity": (
        "clarit",
        "clear",
        "fluen",
        "readab",
        "concise",
        "sentence",
        "syntax",
        "phras",
        "express",
        "style",
    ),
    "Relevance": (
        "relevan",
        "prompt",
        "topic",
        "task",
        "content",
        "idea",
        "argument",
        "evidence",
        "thesis",
        "focus",
        "respon",
        "answer",
        "support",
        "understand",
        "analys",
        "reasoning",
        "claim",
    ),
    "AcademicWriting": (
        "grammar",
        "spelling",
        "punctuat",
        "convention",
        "mechanic",
        "vocabular",
        "word choice",
        "tone",
        "academic",
        "language",
        "register",
        "formal",
    ),
}
SIMILARITY_FLOOR = 0.35


@dataclass(frozen=True)
class CriterionMapping:
    maps_to: str | None
    reason: str


@lru_cache(maxsize=1)
def _base_embeddings() -> np.ndarray:
    return get_embedder().embed([f"{k}: {v}" for k, v in BASE_DESCRIPTIONS.items()])


def _keyword_hits(text: str) -> dict[str, int]:
    low = text.lower()
    return {
        base: sum(len(re.findall(r"\b" + k, low)) for k in keys) for base, keys in KEYWORDS.items()
    }


def map_criterion(criterion: RubricCriterionSpec) -> CriterionMapping:
    # An exact base name maps to itself.
    for base in BASE_CRITERIA:
        if criterion.name.replace(" ", "").lower() == base.lower():
            return CriterionMapping(base, "same name as a built-in criterion")
    name_hits = _keyword_hits(criterion.name)
    desc_hits = _keyword_hits(criterion.description)
    score = {b: 2 * name_hits[b] + desc_hits[b] for b in BASE_CRITERIA}
    best = max(BASE_CRITERIA, key=lambda b: score[b])
    if score[best] > 0 and list(score.values()).count(score[best]) == 1:
        return CriterionMapping(best, "matched by keywords")
    query = f"{criterion.name}: {criterion.description}".strip(": ")
    sims = _base_embeddings() @ get_embedder().embed([query])[0]
    candidates = (
        [b for b in BASE_CRITERIA if score[b] == score[best]]
        if score[best]
        else list(BASE_CRITERIA)
    )
    top = max(candidates, key=lambda b: float(sims[BASE_CRITERIA.index(b)]))
    top_sim = float(sims[BASE_CRITERIA.index(top)])
    if top_sim < SIMILARITY_FLOOR and score[best] == 0:
        return CriterionMapping(
            None,
            f"the built-in scorer has no model for '{criterion.name}' (closest built-in "
            f"criterion {top} at similarity {top_sim:.2f}); use an LLM provider or score it "
            "by hand",
        )
    return CriterionMapping(top, f"closest built-in criterion by meaning ({top_sim:.2f})")

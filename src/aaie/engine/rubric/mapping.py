"""Map a teacher's custom criteria onto the four criteria the built-in scorer can judge.

Keywords first (a criterion called "Grammar and spelling" is AcademicWriting, whatever the
embedding says), then MiniLM similarity of "name: description" to each base description.
Below the similarity floor the criterion is reported as not scorable, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
# What the built-in scorer cannot see in an essay's text: a criterion closer to one of these
# than to every base criterion is reported as not scorable, with the reason.
NOT_IN_TEXT: dict[str, str] = {
    "visuals": "Visual work: hand-drawn diagrams, drawings, sketches, images, charts, maps and "
    "illustrations.",
    "speaking": "Oral presentation delivered aloud: eye contact, gestures, pace, slides, "
    "video and audio recording.",
    "formatting": "Document formatting: title page, font, margins, page numbers, headers, "
    "citation and reference-list format (MLA, APA).",
    "conduct": "Conduct and process: teamwork, participation, effort, attendance, meeting "
    "deadlines, drafts handed in on time.",
}
# The same four in plain words, for the reason a teacher and a student read.
NOT_IN_TEXT_WORDS: dict[str, str] = {
    "visuals": "drawings, diagrams and other visual work",
    "speaking": "speaking or presenting aloud",
    "formatting": "the document's formatting (layout, fonts, citation format)",
    "conduct": "conduct and process (effort, teamwork, deadlines)",
}
# Words that place a criterion in the written text, whatever else it mentions.
_WRITING = re.compile(
    r"\b(?:writ\w*|essay\w*|sentence\w*|paragraph\w*|word\w*|text|voice|argu\w*)\b", re.I
)
TEMPERATURE = 0.04  # softmax temperature over MiniLM similarities (a 0.04 lead = e times more)
NOT_IN_TEXT_MARGIN = 0.02  # how much closer to a non-text prototype makes it unscorable
KEYWORD_BONUS = 0.08  # similarity added to a base criterion per keyword hit (name hits x2)


@dataclass(frozen=True)
class CriterionMapping:
    maps_to: str | None  # the base criterion with most weight (None: not scorable)
    reason: str
    # Base criterion -> weight (sums to 1): the custom score is this blend of their scores.
    weights: dict[str, float] = field(default_factory=dict)
    similarity: float = 0.0  # MiniLM similarity of the criterion to its main base criterion
    detail: str = ""  # the measurements behind `reason` (teachers' evidence, not the reason)


@lru_cache(maxsize=1)
def _base_embeddings() -> np.ndarray:
    return get_embedder().embed([f"{k}: {v}" for k, v in BASE_DESCRIPTIONS.items()])


@lru_cache(maxsize=1)
def _not_in_text_embeddings() -> np.ndarray:
    return get_embedder().embed(list(NOT_IN_TEXT.values()))


def _keyword_hits(text: str) -> dict[str, int]:
    low = text.lower()
    return {
        base: sum(len(re.findall(r"\b" + k, low)) for k in keys) for base, keys in KEYWORDS.items()
    }


def criterion_text(criterion: RubricCriterionSpec) -> str:
    """What the criterion means, in the teacher's words: name, description and the top band."""
    parts = [criterion.name, criterion.description]
    if criterion.bands:
        parts.append(criterion.bands.get("Excellent") or next(iter(criterion.bands.values())))
    return ": ".join(p.strip() for p in parts if p and p.strip())


@lru_cache(maxsize=256)
def _map(name: str, description: str, bands: tuple[tuple[str, str], ...]) -> CriterionMapping:
    criterion = RubricCriterionSpec(name=name, description=description,
                                    bands=dict(bands) or None)  # fmt: skip
    for base in BASE_CRITERIA:  # an exact base name maps to itself
        if name.replace(" ", "").lower() == base.lower():
            return CriterionMapping(base, "same name as a built-in criterion", {base: 1.0}, 1.0)
    text = criterion_text(criterion)
    query = get_embedder().embed([text])[0]
    sims = _base_embeddings() @ query
    name_hits, desc_hits = _keyword_hits(name), _keyword_hits(f"{description} {text}")
    boosted = np.array(
        [
            float(sims[i]) + KEYWORD_BONUS * min(2 * name_hits[b] + desc_hits[b], 3)
            for i, b in enumerate(BASE_CRITERIA)
        ]
    )
    outside = _not_in_text_embeddings() @ query
    k = int(np.argmax(outside))
    about_writing = bool(_WRITING.search(text))
    if (
        not any(name_hits.values())
        and not about_writing
        and outside[k] > float(boosted.max()) + NOT_IN_TEXT_MARGIN
    ):
        what = list(NOT_IN_TEXT)[k]
        return CriterionMapping(
            None,
            f"'{name}' is about {NOT_IN_TEXT_WORDS[what]}, which AAIE cannot see in the text "
            "of an essay; the teacher scores it by hand (or an LLM provider can)",
            detail=f"closer in meaning to {what} (similarity {float(outside[k]):.2f}) than to "
            f"any written-text criterion ({float(boosted.max()):.2f})",
        )
    w = np.exp((boosted - boosted.max()) / TEMPERATURE)
    w = w / w.sum()
    weights = {b: round(float(x), 3) for b, x in zip(BASE_CRITERIA, w, strict=True) if x >= 0.05}
    total = sum(weights.values())
    weights = {b: round(x / total, 3) for b, x in weights.items()}
    top = max(weights, key=lambda b: weights[b])
    listed = ", ".join(f"{b} {x:.0%}" for b, x in sorted(weights.items(), key=lambda t: -t[1]))
    how = "keywords and meaning" if any(name_hits.values()) or any(desc_hits.values()) else (
        "meaning")  # fmt: skip
    return CriterionMapping(
        top,
        f"scored from its description by {how}, as a blend of the built-in criteria it is "
        f"closest to: {listed}",
        weights,
        float(sims[BASE_CRITERIA.index(top)]),
    )


def map_criterion(criterion: RubricCriterionSpec) -> CriterionMapping:
    """How the built-in scorer scores a teacher's criterion: a blend of the base criteria
    whose descriptions are closest in meaning (MiniLM, with keyword hints), or not at all when
    the criterion is about something outside the essay's text (drawings, speaking, format)."""
    bands = tuple(sorted((criterion.bands or {}).items()))
    return _map(criterion.name, criterion.description, bands)

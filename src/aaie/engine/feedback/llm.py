"""Feedback through an OpenAI-compatible LLM: validated, grounded and leak-checked."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel, Field

from aaie.engine.analysis import TextAnalysis
from aaie.engine.feedback.builtin import compose
from aaie.engine.feedback.guard import leaks, snap_quote, without_borrowed_praise
from aaie.engine.feedback.types import Feedback, NextStep
from aaie.engine.providers import LLMProvider, redact_for_llm
from aaie.engine.rubric.types import RubricResult

SYSTEM = (
    "You are a supportive writing teacher giving feedback to a student on their essay. Write to "
    "the student. Say what works, with evidence, then give 2 to 4 concrete next steps. Every "
    "next step must quote one sentence copied exactly from the essay and explain how changing "
    "it answers the assignment prompt better. Talk only about the writing: never mention "
    "scores, detection tools, software, or where the text came from. Reply with one JSON "
    "object only."
)


class LLMStep(BaseModel):
    text: str = Field(min_length=1)
    quote: str = Field(min_length=1)
    criterion: str = "General"


class LLMFeedbackReply(BaseModel):
    # `text` first: when streamed, the student-facing summary arrives before the structure.
    text: str = Field(min_length=1)
    strengths: list[str] = Field(default_factory=list, max_length=4)
    next_steps: list[LLMStep] = Field(min_length=2, max_length=4)


def build_messages(
    essay_redacted: str, prompt_text: str | None, rubric: RubricResult | None
) -> list[dict[str, str]]:
    rubric_part = ""
    if rubric is not None:
        rubric_part = (
            "Rubric results (for your guidance):\n"
            + json.dumps(
                [{"criterion": c.name, "label": c.label} for c in rubric.criteria if c.scorable]
            )
            + "\n\n"
        )
    example = {
        "text": "Two or three sentences to the student.",
        "strengths": ["..."],
        "next_steps": [
            {"text": "...", "quote": "exact sentence from the essay", "criterion": "Structure"}
        ],
    }
    user = (
        f"Assignment prompt:\n{prompt_text or '(none given)'}\n\n{rubric_part}"
        f"Student essay:\n<<<\n{essay_redacted}\n>>>\n\n"
        f"Answer in this JSON shape: {json.dumps(example)}"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def to_feedback(reply: LLMFeedbackReply, analysis: TextAnalysis, engine: str) -> Feedback:
    """Check the reply (no leaks, quotes found in the essay) and turn it into Feedback.

    Raises ValueError when it is unusable (a retryable fault for the provider).
    """
    own_words = " ".join([reply.text, *reply.strengths, *(s.text for s in reply.next_steps)])
    found = leaks(own_words)
    if found:
        raise ValueError(f"feedback mentions teacher-only topics: {sorted(set(found))[:3]}")
    steps: list[NextStep] = []
    for s in reply.next_steps:
        where = snap_quote(s.quote, analysis)
        if where is None or any(where[0] == t.start for t in steps):
            continue
        start, end = where
        steps.append(
            NextStep(
                text=s.text,
                quote=analysis.text[start:end],
                start=start,
                end=end,
                criterion=s.criterion,
            )
        )
    if len(steps) < 2:
        raise ValueError("fewer than two next steps quote the essay")
    text = reply.text.strip()
    full = (
        text + "\n\n" + compose(reply.strengths, steps) if text else compose(reply.strengths, steps)
    )
    return Feedback(text=full, strengths=reply.strengths, next_steps=steps, engine=engine)


def _check(reply: LLMFeedbackReply, analysis: TextAnalysis, engine: str) -> None:
    to_feedback(reply, analysis, engine)  # raises ValueError when unusable


def feedback_with_llm(
    provider: LLMProvider,
    analysis: TextAnalysis,
    prompt_text: str | None,
    rubric: RubricResult | None,
    copied: Sequence[tuple[int, int]] = (),
) -> Feedback:
    """`copied`: ranges matched to the prompt or an AI chat turn; a strength that praises
    them is dropped (the model is not told why, so it cannot tell the student)."""
    messages = build_messages(redact_for_llm(analysis.text), prompt_text, rubric)
    reply = provider.chat_json(
        messages,
        LLMFeedbackReply,
        validate=lambda r: _check(r, analysis, provider.engine_name),
    )
    own = without_borrowed_praise(reply.strengths, analysis, copied)
    return to_feedback(reply.model_copy(update={"strengths": own}), analysis, provider.engine_name)

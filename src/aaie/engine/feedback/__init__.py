"""Student-facing feedback: what works and 2-4 next steps, each quoting the student's sentence.

Never mentions AI classification, AI scores, similarity or highlights (teacher-only results).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aaie.engine.analysis import TextAnalysis, ensure_analysis
from aaie.engine.feedback.types import Feedback, NextStep

if TYPE_CHECKING:
    from aaie.engine.providers import LLMProvider
    from aaie.engine.rubric.types import RubricResult

__all__ = ["Feedback", "NextStep", "generate_feedback", "stream_feedback"]


def generate_feedback(
    student_submission: str,
    prompt_text: str | None = None,
    rubric_result: RubricResult | None = None,
    *,
    analysis: TextAnalysis | None = None,
    provider: LLMProvider | None = None,
    copied: Sequence[tuple[int, int]] = (),
) -> Feedback:
    """Feedback for the student. With `provider`, an LLM writes it (validated, grounded and
    leak-checked); on any failure the built-in generator answers with `fallback_reason` set.

    `copied`: character ranges of the submission matched to the prompt or an AI chat turn
    (the similarity stage's spans); strengths never praise them."""
    if not student_submission or not student_submission.strip():
        raise ValueError("student_submission is empty")
    a = ensure_analysis(student_submission, analysis)
    prompt = prompt_text if prompt_text and prompt_text.strip() else None
    from aaie.engine.feedback.builtin import feedback_builtin
    from aaie.engine.feedback.llm import feedback_with_llm
    from aaie.engine.providers.fallback import llm_or_builtin

    return llm_or_builtin(
        provider,
        lambda p: feedback_with_llm(p, a, prompt, rubric_result, copied),
        lambda: feedback_builtin(a, prompt, rubric_result, copied),
    )


def __getattr__(name: str) -> Any:
    if name == "stream_feedback":  # lazy: pulls in httpx/asyncio machinery
        from aaie.engine.feedback.stream import stream_feedback

        return stream_feedback
    raise AttributeError(name)

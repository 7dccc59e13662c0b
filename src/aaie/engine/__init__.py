"""AAIE's evaluation engine: a pure library (text in, typed results out; no web, no database).

Public functions (each also works on its own; `evaluate_all` runs them together, sharing work):

    classify(student_submission, prompt_text=None, chat_log=None)          -> detection
    ai_score(student_submission, prompt_text=None, chat_log=None)          -> detection
    prompt_similarity(student_submission, prompt_text=None, chat_log=None) -> similarity
    highlight_spans(student_submission, prompt_text=None, chat_log=None)   -> highlights
    rubric_score(student_submission, prompt_text=None, rubric=None)        -> rubric
    generate_feedback(student_submission, prompt_text=None, rubric_result=None) -> feedback
    redact(text, chat_log=None)                                            -> redaction
    evaluate_all(student_submission, prompt_text=None, chat_log=None, rubric=None) -> pipeline

Imports are lazy so that `import aaie.engine` is cheap and a process loads only the models it
uses (each model loads once per process, on first use).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the types of the lazily loaded exports below
    from aaie.engine.detection import ai_score as ai_score
    from aaie.engine.detection import classify as classify
    from aaie.engine.feedback import generate_feedback as generate_feedback
    from aaie.engine.highlights import highlight_spans as highlight_spans
    from aaie.engine.pipeline import evaluate_all as evaluate_all
    from aaie.engine.redaction import redact as redact
    from aaie.engine.rubric import rubric_score as rubric_score
    from aaie.engine.similarity import prompt_similarity as prompt_similarity

# Bump whenever a shipped model or an engine rule changes: it is stored with every evaluation and
# keys the result cache. 0.2.0: detector-4, scorer v5, windowed NER in redaction. 0.3.0: detector-5
# (student-habit rewrites in training). 0.4.0: detector-6 (n-gram sentence model, 0.5 % label
# budget) and scorer v6 (bag-of-words ridge per known prompt). 0.5.0: detector-7 (a passage is
# two sentences that read as AI together). 0.5.1: the scorer recognises a known prompt from the
# essay when none is given; rubric scores can follow an assignment's teacher grades.
ENGINE_VERSION = "0.5.1"

_EXPORTS = {
    "classify": "aaie.engine.detection",
    "ai_score": "aaie.engine.detection",
    "prompt_similarity": "aaie.engine.similarity",
    "highlight_spans": "aaie.engine.highlights",
    "rubric_score": "aaie.engine.rubric",
    "generate_feedback": "aaie.engine.feedback",
    "redact": "aaie.engine.redaction",
    "evaluate_all": "aaie.engine.pipeline",
}

__all__ = ["ENGINE_VERSION", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aaie.engine' has no attribute {name!r}")
    return getattr(import_module(module), name)

"""AI-text detection: Human / AI / Hybrid, calibrated AI score, AI spans (see `engine.py`)."""

from aaie.engine.detection.engine import (
    MAX_CHARS,
    MIN_SENTENCES,
    MIN_WORDS,
    AIScore,
    Classification,
    DetectionInputError,
    SentenceScore,
    Span,
    TextTooLongError,
    ai_score,
    ai_spans,
    classify,
    detector_card,
)

__all__ = [
    "MAX_CHARS",
    "MIN_SENTENCES",
    "MIN_WORDS",
    "AIScore",
    "Classification",
    "DetectionInputError",
    "SentenceScore",
    "Span",
    "TextTooLongError",
    "ai_score",
    "ai_spans",
    "classify",
    "detector_card",
]

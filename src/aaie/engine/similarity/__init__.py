"""Prompt and chat-log similarity (see `engine.py`)."""

from aaie.engine.similarity.engine import (
    DEFAULT_FLAG_THRESHOLD,
    PARAPHRASE_THRESHOLD,
    PROMPT_ALLOWANCE,
    Similarity,
    SimilarityMatch,
    prompt_similarity,
)

__all__ = [
    "DEFAULT_FLAG_THRESHOLD",
    "PARAPHRASE_THRESHOLD",
    "PROMPT_ALLOWANCE",
    "Similarity",
    "SimilarityMatch",
    "prompt_similarity",
]

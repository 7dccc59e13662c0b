"""Work shared between engine stages for one submission.

`evaluate_all` builds one `TextAnalysis` and hands it to every stage, so the sentence split, the
sentence embeddings and any model pass are computed once. Every stage also works without one
(it builds its own), which keeps each capability usable on its own.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from aaie.engine.embeddings import get_embedder
from aaie.engine.text import split_sentences, word_count
from aaie.engine.types import Sentence


class TextAnalysis:
    """Lazily computed, memoised facts about one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Free-form memo for stage-specific intermediate results (e.g. detector features),
        # keyed by a name the stage owns.
        self.memo: dict[str, Any] = {}

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)

    @cached_property
    def word_count(self) -> int:
        return word_count(self.text)

    @cached_property
    def sentence_embeddings(self) -> np.ndarray:
        """(n_sentences, 384) L2-normalised MiniLM embeddings, one row per sentence."""
        return get_embedder().embed([s.text for s in self.sentences])

    @cached_property
    def document_embedding(self) -> np.ndarray:
        """Mean of the sentence embeddings, re-normalised (a cheap whole-text embedding)."""
        emb = self.sentence_embeddings
        if len(emb) == 0:
            return np.zeros(384, dtype=np.float32)
        mean = emb.mean(axis=0)
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)


def ensure_analysis(text: str, analysis: TextAnalysis | None) -> TextAnalysis:
    """Reuse the caller's analysis when it is for this text, else make one."""
    if analysis is not None and analysis.text == text:
        return analysis
    return TextAnalysis(text)

"""The trained detector: feature assembly shared by training and serving, and the artifact loader.

Two scikit-learn models ship in one joblib file:
- a document model: P(text contains AI-written material) from stylometric features + the mean
  MiniLM sentence embedding, with an isotonic calibrator fitted on out-of-fold predictions;
- a sentence model: P(sentence is AI-written) from the sentence's own features and embedding plus
  those of its neighbours (AI passages come in runs), used for spans and the Hybrid rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

ARTIFACT = "detector.joblib"
CARD = "detector.json"


def doc_vector(doc_feat: np.ndarray, doc_emb: np.ndarray) -> np.ndarray:
    return np.concatenate([doc_feat, doc_emb]).astype(np.float32)


def _neighbour_mean(x: np.ndarray, radius: int) -> np.ndarray:
    """Mean of rows i-radius..i+radius excluding i (edges use what exists; lone row -> itself)."""
    n = len(x)
    csum = np.vstack([np.zeros((1, x.shape[1]), dtype=np.float64), np.cumsum(x, axis=0)])
    out = np.empty_like(x, dtype=np.float64)
    for i in range(n):
        lo, hi = max(0, i - radius), min(n, i + radius + 1)
        count = hi - lo - 1
        out[i] = (csum[hi] - csum[lo] - x[i]) / count if count else x[i]
    return out.astype(np.float32)


def sentence_matrix(
    sent_feats: np.ndarray, sent_emb: np.ndarray, doc_feat: np.ndarray, doc_emb: np.ndarray
) -> np.ndarray:
    """Per-sentence rows: own features, neighbours' (±1 and ±3), and the document's."""
    n = len(sent_feats)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    own = np.hstack([sent_feats, sent_emb])
    near = _neighbour_mean(own, 1)
    wide = _neighbour_mean(own, 3)
    doc = np.repeat(doc_vector(doc_feat, doc_emb)[None, :], n, axis=0)
    pos = np.arange(n, dtype=np.float32)[:, None]
    position = np.hstack([pos / max(n - 1, 1), (pos == 0), (pos == n - 1)]).astype(np.float32)
    return np.hstack([own, near, wide, doc, position]).astype(np.float32)


@dataclass
class Detector:
    doc_model: Any
    calibrator: Any
    sentence_model: Any
    sentence_threshold: float
    threshold: float  # on the calibrated 0-100 ai_score
    fpr_at_threshold: float
    card: dict[str, Any] = field(default_factory=dict)

    def doc_probability(self, x: np.ndarray) -> np.ndarray:
        raw = self.doc_model.predict_proba(x)[:, 1]
        return np.asarray(self.calibrator.predict(raw), dtype=np.float64)

    def sentence_probability(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        return np.asarray(self.sentence_model.predict_proba(x)[:, 1], dtype=np.float64)


@lru_cache(maxsize=1)
def load_detector() -> Detector:
    """Load the shipped artifact once per process."""
    import joblib

    folder = resources.files("aaie.engine.detection") / "artifacts"
    with resources.as_file(folder / ARTIFACT) as path:
        payload = joblib.load(path)
    card = json.loads((folder / CARD).read_text(encoding="utf-8"))
    return Detector(card=card, **payload)

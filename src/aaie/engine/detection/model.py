"""The trained detector: feature assembly shared by training and serving, and the artifact loader.

Two scikit-learn models ship in one joblib file:
- a sentence model (logistic regression): P(sentence is AI-written) from the sentence's own
  stylometric features and MiniLM embedding, those of its neighbours (AI passages come in runs) and
  the document's, used for spans, the Hybrid rule, and as input to the document model;
- a document model (gradient-boosted trees): P(text contains AI-written material) from the
  document's stylometric features plus aggregates of the sentence probabilities (mean, best
  3-sentence window, top-3 mean, share above 0.5), with a Platt calibrator fitted on
  out-of-fold predictions.
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


def sentence_aggregates(p: np.ndarray) -> np.ndarray:
    """Summary of sentence probabilities: mean, best 3-sentence window, top-3 mean, share >= .5."""
    if len(p) == 0:
        return np.zeros(4, dtype=np.float32)
    window = np.convolve(p, np.ones(3) / 3, "valid").max() if len(p) >= 3 else p.mean()
    top = np.sort(p)[-3:].mean()
    return np.array([p.mean(), window, top, (p >= 0.5).mean()], dtype=np.float32)


def doc_input(doc_feat: np.ndarray, p_sent: np.ndarray) -> np.ndarray:
    """The document model's input row."""
    return np.concatenate([doc_feat, sentence_aggregates(p_sent)]).astype(np.float32)


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


class PlattCalibrator:
    """P(AI) = sigmoid(a * logit(raw) + b), fitted on out-of-fold document probabilities."""

    def __init__(self) -> None:
        self.a, self.b = 1.0, 0.0

    @staticmethod
    def _logit(raw: np.ndarray) -> np.ndarray:
        p = np.clip(np.asarray(raw, dtype=np.float64), 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    def fit(self, raw: np.ndarray, y: np.ndarray) -> PlattCalibrator:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e4, max_iter=1000).fit(self._logit(raw)[:, None], y)
        self.a, self.b = float(lr.coef_[0][0]), float(lr.intercept_[0])
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * self._logit(raw) + self.b)))


@dataclass
class Detector:
    doc_model: Any
    calibrator: Any
    sentence_model: Any
    sentence_threshold: float
    threshold: float  # on the calibrated 0-100 ai_score
    fpr_at_threshold: float
    cue_stats: dict[str, Any] = field(default_factory=dict)  # human/AI feature means for reasons
    human_scores: Any = None  # sorted out-of-fold ai_scores of human essays (validation)
    card: dict[str, Any] = field(default_factory=dict)

    def fpr_at(self, score: float) -> float:
        """Share of human essays in validation whose ai_score was >= `score`."""
        if self.human_scores is None or len(self.human_scores) == 0:
            return float("nan")
        below = np.searchsorted(self.human_scores, score, side="left")
        return float(1.0 - below / len(self.human_scores))

    def doc_probability(self, x: np.ndarray) -> np.ndarray:
        # One row through 300 small trees: OpenMP threads only add synchronisation, which on a
        # busy machine cost seconds (measured), so prediction runs single-threaded.
        with _single_thread():
            raw = self.doc_model.predict_proba(x)[:, 1]
        return np.asarray(self.calibrator.predict(raw), dtype=np.float64)

    def sentence_probability(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        with _single_thread():
            return np.asarray(self.sentence_model.predict_proba(x)[:, 1], dtype=np.float64)


@lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _single_thread() -> Any:
    return _controller().limit(limits=1)


@lru_cache(maxsize=1)
def load_detector() -> Detector:
    """Load the shipped artifact once per process."""
    import joblib

    folder = resources.files("aaie.engine.detection") / "artifacts"
    with resources.as_file(folder / ARTIFACT) as path:
        payload = joblib.load(path)
    card = json.loads((folder / CARD).read_text(encoding="utf-8"))
    return Detector(card=card, **payload)

"""The trained detector: feature assembly shared by training and serving, and the artifact loader.

Two scikit-learn models ship in one joblib file:
- a sentence model (gradient-boosted trees): P(sentence is AI-written) from the sentence's own
  stylometric features and (PCA-projected) MiniLM embedding, those of its neighbours (AI passages
  come in runs), the document's, and their contrasts; used for spans, the passage rule, the Hybrid
  rule, and as input to the document model;
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


PASSAGE_SENTENCES = 2


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


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    den = np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-9)
    return ((a * b).sum(axis=1) / den).astype(np.float32)


@dataclass
class Projection:
    """PCA of MiniLM sentence embeddings (fitted in training): keeps the tree model small/fast."""

    mean: np.ndarray  # (384,)
    components: np.ndarray  # (k, 384)

    def __call__(self, emb: np.ndarray) -> np.ndarray:
        return ((emb - self.mean) @ self.components.T).astype(np.float32)


def sentence_matrix(
    sent_feats: np.ndarray,
    sent_emb: np.ndarray,
    doc_feat: np.ndarray,
    doc_emb: np.ndarray,
    projection: Projection,
) -> np.ndarray:
    """Per-sentence rows for the sentence model.

    The sentence's style features, its neighbours' (mean of ±1 and ±3 sentences: AI passages come
    in runs), the document's, and the contrasts between them (a pasted passage differs from the
    text around it), relative position, embedding similarity to neighbours and document, and the
    projected embeddings. No whitespace or paragraph layout enters (a label leak in the DEV data).
    """
    n = len(sent_feats)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    near_f, wide_f = _neighbour_mean(sent_feats, 1), _neighbour_mean(sent_feats, 3)
    near_e, wide_e = _neighbour_mean(sent_emb, 1), _neighbour_mean(sent_emb, 3)
    doc_e = np.repeat(doc_emb[None, :], n, axis=0)
    doc_f = np.repeat(doc_feat[None, :], n, axis=0)
    own_doc = doc_f[:, : sent_feats.shape[1]]  # the document's values of the sentence features
    pos = np.arange(n, dtype=np.float32)[:, None]
    position = np.hstack([pos / max(n - 1, 1), pos == 0, pos == n - 1])
    sims = np.stack(
        [_cosine(sent_emb, near_e), _cosine(sent_emb, wide_e), _cosine(sent_emb, doc_e)], axis=1
    )
    blocks = [sent_feats, near_f, wide_f, doc_f, sent_feats - near_f, sent_feats - wide_f]
    blocks += [sent_feats - own_doc, position, sims]
    blocks += [projection(e) for e in (sent_emb, near_e, wide_e, doc_e)]
    return np.hstack(blocks).astype(np.float32)


def passage_mask(p: np.ndarray, threshold: float, min_sentences: int) -> np.ndarray:
    """Sentences inside a run of >= min_sentences consecutive sentences with p >= threshold."""
    high = np.asarray(p) >= threshold
    out = np.zeros(len(high), dtype=bool)
    start = 0
    for i in range(len(high) + 1):
        if i == len(high) or not high[i]:
            if i - start >= min_sentences:
                out[start:i] = True
            start = i + 1
    return out


def passage_score(p: np.ndarray, min_sentences: int) -> float:
    """The highest threshold at which `passage_mask` is non-empty (0 for too few sentences)."""
    p = np.asarray(p, dtype=np.float64)
    if len(p) < min_sentences:
        return 0.0
    windows = np.lib.stride_tricks.sliding_window_view(p, min_sentences)
    return float(windows.min(axis=1).max())


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
    projection: Projection
    # A passage (>= PASSAGE_SENTENCES consecutive sentences) with every sentence probability >=
    # passage_threshold labels the text even below `threshold`; chosen so that human essays
    # labelled AI/Hybrid by either rule stay <= 1 % per writer group and essay source.
    passage_threshold: float
    passage_calibrator: Any  # P(contains AI) from the passage score, for `confidence`
    label_fpr: dict[str, float] = field(default_factory=dict)  # out-of-fold, per group/source
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

    def passage_probability(self, score: float) -> float:
        """Calibrated P(contains AI) given the text's passage score (out-of-fold Platt fit)."""
        return float(self.passage_calibrator.predict(np.array([score]))[0])

    def sentence_rows(
        self, sent_feats: np.ndarray, emb: np.ndarray, doc_feat: np.ndarray, doc_emb: np.ndarray
    ) -> np.ndarray:
        return sentence_matrix(sent_feats, emb, doc_feat, doc_emb, self.projection)

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

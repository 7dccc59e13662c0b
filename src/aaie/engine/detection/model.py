"""The trained detector: feature assembly shared by training and serving, and the artifact loader.

Four models, fitted with scikit-learn, ship in one joblib file as plain arrays (the n-gram
vocabularies through `engine.tfidf`, the trees through `engine.trees`), so serving imports no
scikit-learn model code:
- an n-gram sentence model (lexical.py): log-odds from word and character n-grams;
- a sentence model in two stages (gradient-boosted trees). Stage 1: P(sentence is AI-written)
  from the sentence's own stylometric features, n-gram log-odds and (PCA-projected) MiniLM
  embedding, those of its neighbours (AI passages come in runs), the document's, and their
  contrasts (differences, and z-scores among the document's sentences). Stage 2 (the context
  model): re-scores each sentence from the stage-1 probabilities of it, its neighbours and its
  whole document, trained on out-of-fold stage-1 probabilities. Used for spans, the passage
  rule, the Hybrid rule, and as input to the document model;
- a document model (gradient-boosted trees): P(text contains AI-written material) from the
  document's stylometric features plus aggregates of the sentence probabilities (mean, best
  3-sentence window, top-3 mean, share above 0.5) and of the n-gram log-odds, with a Platt
  calibrator fitted on out-of-fold predictions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from aaie.engine.detection.lexical import LexicalModel
from aaie.engine.trees import PackedTrees

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


def lexical_aggregates(lex: np.ndarray) -> np.ndarray:
    """Mean and top-3 mean of the sentences' n-gram log-odds."""
    if len(lex) == 0:
        return np.zeros(2, dtype=np.float32)
    return np.array([lex.mean(), np.sort(lex)[-3:].mean()], dtype=np.float32)


def doc_input(doc_feat: np.ndarray, p_sent: np.ndarray, lex: np.ndarray | None) -> np.ndarray:
    """The document model's input row (`lex`: the n-gram log-odds, None for a model without)."""
    blocks = [doc_feat, sentence_aggregates(p_sent)]
    if lex is not None:
        blocks.append(lexical_aggregates(lex))
    return np.concatenate(blocks).astype(np.float32)


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
    projection: Projection | None,
    lex: np.ndarray | None = None,
) -> np.ndarray:
    """Per-sentence rows for the sentence model.

    The sentence's style features, its neighbours' (mean of ±1 and ±3 sentences: AI passages come
    in runs), the document's, and the contrasts between them (a pasted passage differs from the
    text around it), relative position, embedding similarity to neighbours and document, and the
    projected embeddings, and the n-gram log-odds `lex` in the same context (when the model has
    them). No whitespace or paragraph layout enters (a label leak in the DEV data).
    """
    n = len(sent_feats)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    near_f, wide_f = _neighbour_mean(sent_feats, 1), _neighbour_mean(sent_feats, 3)
    doc_f = np.repeat(doc_feat[None, :], n, axis=0)
    own_doc = doc_f[:, : sent_feats.shape[1]]  # the document's values of the sentence features
    pos = np.arange(n, dtype=np.float32)[:, None]
    position = np.hstack([pos / max(n - 1, 1), pos == 0, pos == n - 1])
    blocks = [sent_feats, near_f, wide_f, doc_f, sent_feats - near_f, sent_feats - wide_f]
    blocks += [sent_feats - own_doc, _doc_z(sent_feats), position]
    if projection is not None:  # detector-7 and earlier: MiniLM embeddings in context
        blocks += _embedding_blocks(sent_emb, doc_emb, projection)
    if lex is not None:
        blocks.append(_in_context(lex))
    return np.hstack(blocks).astype(np.float32)


def _embedding_blocks(
    sent_emb: np.ndarray, doc_emb: np.ndarray, projection: Projection
) -> list[np.ndarray]:
    """Embedding similarity to neighbours and document, and the projected embeddings."""
    n = len(sent_emb)
    near_e, wide_e = _neighbour_mean(sent_emb, 1), _neighbour_mean(sent_emb, 3)
    doc_e = np.repeat(doc_emb[None, :], n, axis=0)
    sims = np.stack(
        [_cosine(sent_emb, near_e), _cosine(sent_emb, wide_e), _cosine(sent_emb, doc_e)], axis=1
    )
    own_p, doc_p = projection(sent_emb), projection(doc_e)
    return [sims, own_p, projection(near_e), projection(wide_e), doc_p, own_p - doc_p]


def _in_context(lex: np.ndarray) -> np.ndarray:
    """A per-sentence score beside its ±1 and ±3 neighbours' means, the document mean, and its
    difference from and z-score in the document."""
    col = np.asarray(lex, dtype=np.float32)[:, None]
    mean = np.full_like(col, float(col.mean()))
    blocks = [col, _neighbour_mean(col, 1), _neighbour_mean(col, 3), mean, col - mean, _doc_z(col)]
    return np.hstack(blocks).astype(np.float32)


def _doc_z(x: np.ndarray) -> np.ndarray:
    """Each sentence's features as z-scores among the document's sentences: how far it stands
    out from the writer's own style (a pasted sentence differs from its surroundings)."""
    mu = x.mean(axis=0, keepdims=True)
    sd = x.std(axis=0, keepdims=True)
    return ((x - mu) / (sd + 1e-3)).astype(np.float32)


def _logit(p: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    return np.log(p / (1 - p))


def context_rows(p: np.ndarray, log_words: np.ndarray) -> np.ndarray:
    """Rows for the context model (stage 2): a sentence's stage-1 log-odds, its neighbours'
    (NaN past the edges), where it stands in its document (difference from the document's mean,
    z-score, rank) and the document's distribution of log-odds. A learned replacement for
    HMM smoothing: it can tell a run of AI sentences from one high sentence in a human essay,
    and a scattered AI sentence from its human neighbours."""
    n = len(p)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    lo = _logit(p)
    pad = np.r_[np.full(2, np.nan), lo, np.full(2, np.nan)]
    prev2, prev1, next1, next2 = pad[0:n], pad[1 : n + 1], pad[3 : n + 3], pad[4 : n + 4]
    mean, sd = float(lo.mean()), float(lo.std())
    rank = np.argsort(np.argsort(lo, kind="stable"), kind="stable") / max(n - 1, 1)
    pos = np.arange(n) / max(n - 1, 1)
    doc = [mean, sd, float(np.median(lo)), float(lo.max()), float((lo >= 0).mean()), np.log(n)]
    cols = [lo, prev1, next1, prev2, next2, lo - mean, (lo - mean) / (sd + 0.1), rank, pos]
    cols += [np.nanmax(np.vstack([prev1, next1]), axis=0) if n > 1 else np.full(n, np.nan)]
    cols += [np.nanmin(np.vstack([prev1, next1]), axis=0) if n > 1 else np.full(n, np.nan)]
    cols += [np.asarray(log_words, dtype=np.float64)]
    cols += [np.full(n, v) for v in doc]
    return np.stack(cols, axis=1).astype(np.float32)


# A passage window's sentences are averaged in log-odds, each clipped to [1 - CAP, CAP] first,
# so one near-certain sentence cannot carry a weak neighbour (at threshold 0.98 the other must
# still reach ~0.74). Detector-7; detector-6 required every sentence >= the threshold, which
# labelled fewer hybrids at the same false-positive budget (docs/benchmarks/detection.md).
PASSAGE_CAP = 0.999


def _window_probabilities(p: np.ndarray, min_sentences: int) -> np.ndarray:
    """Each run of `min_sentences` consecutive sentences: sigmoid of their mean clipped log-odds."""
    log_odds = _logit(p, eps=1 - PASSAGE_CAP)
    windows = np.lib.stride_tricks.sliding_window_view(log_odds, min_sentences)
    return np.asarray(1.0 / (1.0 + np.exp(-windows.mean(axis=1))))


def passage_mask(p: np.ndarray, threshold: float, min_sentences: int) -> np.ndarray:
    """Sentences inside any run of `min_sentences` consecutive sentences that together read as
    AI-written (window probability >= threshold)."""
    out = np.zeros(len(p), dtype=bool)
    if len(p) < min_sentences:
        return out
    for start in np.flatnonzero(_window_probabilities(p, min_sentences) >= threshold):
        out[start : start + min_sentences] = True
    return out


def passage_score(p: np.ndarray, min_sentences: int) -> float:
    """The highest threshold at which `passage_mask` is non-empty (0 for too few sentences)."""
    if len(p) < min_sentences:
        return 0.0
    return float(_window_probabilities(p, min_sentences).max())


class PlattCalibrator:
    """P(AI) = sigmoid(a * logit(raw) + b), fitted on out-of-fold document probabilities."""

    def __init__(self) -> None:
        self.a, self.b = 1.0, 0.0

    @staticmethod
    def _logit(raw: np.ndarray) -> np.ndarray:
        return _logit(raw, eps=1e-6)

    def fit(self, raw: np.ndarray, y: np.ndarray) -> PlattCalibrator:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e4, max_iter=1000).fit(self._logit(raw)[:, None], y)
        self.a, self.b = float(lr.coef_[0][0]), float(lr.intercept_[0])
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * self._logit(raw) + self.b)))


@dataclass
class Detector:
    doc_model: PackedTrees
    calibrator: Any
    sentence_model: PackedTrees
    sentence_threshold: float
    threshold: float  # on the calibrated 0-100 ai_score
    fpr_at_threshold: float
    projection: Projection | None  # None: a detector without MiniLM embeddings (detector-8)
    # A passage (PASSAGE_SENTENCES consecutive sentences) whose window probability is >=
    # passage_threshold labels the text even below `threshold`; chosen so that human essays
    # labelled AI/Hybrid by either rule stay <= 1 % per writer group and essay source.
    passage_threshold: float
    passage_calibrator: Any  # P(contains AI) from the passage score, for `confidence`
    label_fpr: dict[str, float] = field(default_factory=dict)  # out-of-fold, per group/source
    # Stage 2 (optional): re-scores each sentence from the stage-1 probabilities in context.
    context_model: PackedTrees | None = None
    # Word / character n-gram log-odds per sentence (lexical.py); None in models without them.
    lexical: LexicalModel | None = None
    cue_stats: dict[str, Any] = field(default_factory=dict)  # human/AI feature means for reasons
    human_scores: Any = None  # sorted out-of-fold ai_scores of human essays (validation)
    # detector-8: per human population (writer group x genre) its document-embedding centroid,
    # sorted out-of-fold scores and out-of-fold label rate (train.population_profiles).
    populations: dict[str, dict[str, Any]] = field(default_factory=dict)
    # detector-9: a fine-tuned MiniLM's score blended with the document score
    # (encoder.EncoderBlend); None in models without it.
    encoder: Any = None
    card: dict[str, Any] = field(default_factory=dict)

    def nearest_population(self, doc_feat: np.ndarray) -> str | None:
        """The human population whose texts this one is written most like (nearest centroid of
        z-scored document style features); None for a model without populations."""
        if not self.populations:
            return None
        scale = self.populations["_scale"]
        z = (doc_feat - scale["mean"]) / scale["std"]
        names = sorted(n for n in self.populations if n != "_scale")
        if not names:
            return None
        dist = [float(np.linalg.norm(z - self.populations[n]["centroid"])) for n in names]
        return names[int(np.argmin(dist))]

    def population_fpr(self, name: str | None) -> float:
        """Out-of-fold share of the population's human texts labelled AI or Hybrid."""
        if name is None or name not in self.populations:
            return self.fpr_at_threshold
        return float(self.populations[name]["label_fpr"])

    def population_fpr_at(self, name: str | None, score: float) -> float:
        """Share of the population's human texts (out of fold) scoring >= `score`."""
        if name is None or name not in self.populations:
            return self.fpr_at(score)
        scores = self.populations[name]["scores"]
        return float(1.0 - np.searchsorted(scores, score, side="left") / max(len(scores), 1))

    def fpr_at(self, score: float) -> float:
        """Share of human essays in validation whose ai_score was >= `score`."""
        if self.human_scores is None or len(self.human_scores) == 0:
            return float("nan")
        below = np.searchsorted(self.human_scores, score, side="left")
        return float(1.0 - below / len(self.human_scores))

    def doc_probability(self, x: np.ndarray) -> np.ndarray:
        raw = self.doc_model.probability(x)
        return np.asarray(self.calibrator.predict(raw), dtype=np.float64)

    def passage_probability(self, score: float) -> float:
        """Calibrated P(contains AI) given the text's passage score (out-of-fold Platt fit)."""
        return float(self.passage_calibrator.predict(np.array([score]))[0])

    def lexical_log_odds(self, sentences: list[str]) -> np.ndarray | None:
        return None if self.lexical is None else self.lexical.log_odds(sentences)

    def sentence_rows(
        self,
        sent_feats: np.ndarray,
        emb: np.ndarray,
        doc_feat: np.ndarray,
        doc_emb: np.ndarray,
        lex: np.ndarray | None,
    ) -> np.ndarray:
        return sentence_matrix(sent_feats, emb, doc_feat, doc_emb, self.projection, lex)

    def sentence_probability(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        p = self.sentence_model.probability(x)
        if self.context_model is None:
            return p
        rows = context_rows(p, x[:, 0])  # column 0 is the sentence's log word count
        return self.context_model.probability(rows)


@lru_cache(maxsize=1)
def load_detector() -> Detector:
    """Load the shipped artifact once per process."""
    import joblib

    folder = resources.files("aaie.engine.detection") / "artifacts"
    with resources.as_file(folder / ARTIFACT) as path:
        payload = joblib.load(path)
    card = json.loads((folder / CARD).read_text(encoding="utf-8"))
    return Detector(card=card, **payload)

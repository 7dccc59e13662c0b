"""The detector's style models: features, n-gram and sentence models, document model,
calibration and thresholds (`build.py` runs this, then the encoder stage, and writes the
artifact for `aaie train detector`).

Deterministic: fixed seeds, fixed sample, sorted inputs. Steps:
1. load the corpus (OUTFOX essays + hybrids, Fast-DetectGPT texts, ELLIPSE and ASAP human essays)
   plus one student-habit rewrite of every train-split OUTFOX AI essay (augment.py);
2. split every text into sentences, compute features and MiniLM embeddings (cached on disk);
   out-of-fold n-gram log-odds per sentence (lexical.py) join them inside each fit;
3. 5-fold cross-validation grouped by prompt gives out-of-fold document probabilities, on which
   a Platt calibrator is fitted and the threshold chosen so the FPR holds in every writer group;
4. fit the final document and sentence models on all the data (the payload `build.py` writes).
"""

from __future__ import annotations

import bisect
import hashlib
import pickle
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from aaie.engine.atomic_file import atomic_writer
from aaie.engine.detection import features as F
from aaie.engine.detection.augment import student_rewrites
from aaie.engine.detection.cache import EmbeddingCache
from aaie.engine.detection.data import Doc, load_corpus, population
from aaie.engine.detection.lexical import PAIRED_SOURCES, LexicalModel, fit_lexical
from aaie.engine.detection.lexical import VERSION as LEXICAL_VERSION
from aaie.engine.detection.model import (
    PASSAGE_SENTENCES,
    PlattCalibrator,
    Projection,
    context_rows,
    doc_input,
    passage_score,
    sentence_matrix,
)
from aaie.engine.detection.synth import synthetic_hybrids
from aaie.engine.text import split_sentences
from aaie.engine.trees import pack
from aaie.engine.types import Sentence

SEED = 13
N_FOLDS = 5
FEATURE_VERSION = "f3"
HUMAN_GROUPS = ("native", "non_native", "other_human")
# The policy threshold holds the FPR on student essays (native and non-native writers); the
# Fast-DetectGPT human texts (news, fiction, biomedical answers) are reported, not targeted.
ESSAY_GROUPS = ("native", "non_native")
# ...and it must hold in each essay source on its own, not only pooled per group: OUTFOX's
# skilled US students score higher than ASAP's, and pooling would hide that.
ESSAY_SOURCES = ("outfox", "asap", "ellipse", "fp2021")
# detector-8: ... and in every human POPULATION (writer group x genre: data.population), because a
# human scientific abstract or news article is polished prose too, and detector-7 labelled 78 % of
# human course-project abstracts AI. Populations with fewer texts than this are reported, not
# targeted (at 0.5 % a population of 46 could not hold a single text above the threshold).
MIN_POPULATION = 200
TARGET_FPR = 0.01
# The label's false-positive budget (human essays labelled AI or Hybrid, target TARGET_FPR): the
# AI-score threshold alone holds <= 0.5 % out-of-fold, and the AI-score OR passage rule <= 0.5 %
# too - half the target, a margin for sampling noise (one essay is ~0.25 pt at ~400 essays per
# source). At 0.75 % (detector-5) the n-gram model's sharper sentences let the valid split's
# OUTFOX students reach 2.1 % (2 of 97): docs/models/detector.md, "detector-6".
# detector-11: the AI score's budget 0.2 % (was 0.5 %). Held out, human writing of an unseen source
# or genre scores above the out-of-fold human texts; the stricter score threshold cut held-out
# academic prose 13.9 -> 11.7 % by source and 42.7 -> 34.7 % by genre (docs/models/detector.md,
# "Session 16"). The label budget stays 0.5 %: tightened with the score's, it raised the passage
# threshold to 0.991 and spliced-essay char F1 fell 0.893 -> 0.829.
SCORE_TARGET_FPR = 0.002
LABEL_TARGET_FPR = 0.005
# detector-8: 6 (was 10): the corpus is three times larger; hybrids still give every sentence.
PURE_SENTENCES_PER_DOC = 6
# detector-8 uses no MiniLM embeddings. They carry topic and genre - what a corpus-trained
# detector wrongly learns - and held out they did not help detector-5 (flan-t5 7 vs 4 %, FDG
# source 18.5 vs 18.8 %: docs/models/detector.md, "Tried in session 3"). Dropping them also
# takes the embedding pass (the slow part, ~280k sentences here) out of training and of
# /llm/classify. Set True to train the detector-7 design.
USE_EMBEDDINGS = False
EMBEDDING_COMPONENTS = 32

Log = Callable[[str], None]
Cached = TypeVar("Cached")


@dataclass
class Item:
    doc: Doc
    sentences: list[Sentence]
    sent_feats: np.ndarray
    sent_emb: np.ndarray
    doc_feat: np.ndarray
    doc_emb: np.ndarray
    sent_labels: np.ndarray  # 1 AI, 0 human, -1 ambiguous (not trained on)
    # n-gram log-odds per sentence, out-of-fold: set by `with_lexical` inside each fit, because
    # they depend on which texts that fit trains on (never cached with the item).
    sent_lex: np.ndarray | None = None

    @property
    def fold(self) -> int:
        return source_fold(self.doc)


# Leave-one-source-out folds, for bench/detection_loso.py: every out-of-fold score is then the
# score of a text from a source the models never saw. Tried as the SHIPPED cross-validation for
# detector-8 (2026-12-06): a threshold holding 0.5 % on unseen sources' human texts sat at 90.7
# on a Platt scale squashed by the unseen sources (slope 0.26), and the final model then labelled
# no AI essay at all, even ones it trained on (docs/benchmarks/detection.md, "detector-8").
# OUTFOX and Feedback Prize 2021 are one population (the same students and prompts): one fold.
SOURCE_FOLDS = {
    "outfox": 0, "outfox_hybrid": 0, "synth_outfox": 0, "fp2021": 0,
    "fastdetectgpt": 1, "synth_fastdetectgpt": 1,
    "biscope": 2, "synth_biscope": 2,
    "l2r": 3, "synth_l2r": 3,
    "asap": 4, "ellipse": 4, "coauthor": 4,
}  # fmt: skip
FOLD_NAMES = ("OUTFOX + Feedback Prize essays", "Fast-DetectGPT", "BiScope", "L2R",
              "ASAP + ELLIPSE + CoAuthor")  # fmt: skip


def leave_one_source_out_fold(doc: Doc) -> int:
    if doc.source in SOURCE_FOLDS:
        return SOURCE_FOLDS[doc.source]
    return prompt_fold(doc)


def prompt_fold(doc: Doc) -> int:
    """The shipped folds: by prompt / source item, so no prompt's texts (nor a hybrid spliced
    from them) are on both sides."""
    return int(hashlib.sha1(doc.fold_key.encode()).hexdigest(), 16) % N_FOLDS


def source_fold(doc: Doc) -> int:
    """The fold of a text in cross-validation (the bench swaps in other schemes)."""
    return prompt_fold(doc)


def sentence_labels(doc: Doc, sentences: list[Sentence]) -> np.ndarray:
    """AI if at least half of the sentence's characters lie in an AI span."""
    labels = np.zeros(len(sentences), dtype=np.int8)
    prefix = int(doc.meta.get("human_prefix_chars", 0) or 0)
    for i, s in enumerate(sentences):
        covered = sum(max(0, min(s.end, b) - max(s.start, a)) for a, b in doc.ai_spans)
        labels[i] = int(covered >= 0.5 * max(s.end - s.start, 1))
        if doc.label == "ai" and s.start < prefix:  # Fast-DetectGPT's shared human opening
            labels[i] = -1
    if doc.source == "fastdetectgpt" and len(labels):
        labels[-1] = -1  # texts were cut mid-sentence by their authors
    return labels


def build_items(docs: list[Doc], cache_dir: Path, log: Log) -> list[Item]:
    tag = "" if USE_EMBEDDINGS else "-noemb"
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"items-{FEATURE_VERSION}{tag}-{_corpus_hash(docs)}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)
    splits = [split_sentences(d.text) for d in docs]
    log(f"split {len(docs)} texts into sentences")
    cache = EmbeddingCache(cache_dir) if USE_EMBEDDINGS else None
    if cache is not None:
        cache.fill(
            (s.text for ss in splits for s in ss), lambda a, b: log(f"embedded {a}/{b} sentences")
        )
    items = []
    for doc, sents in zip(docs, splits, strict=True):
        sf = F.sentence_features(sents)
        emb = cache.get([s.text for s in sents]) if cache else np.zeros((len(sents), 0), np.float32)
        items.append(
            Item(
                doc,
                sents,
                sf,
                emb,
                F.doc_features(doc.text, sents, sf),
                _mean_emb(emb),
                sentence_labels(doc, sents),
            )
        )
    with atomic_writer(path) as fh:
        pickle.dump(items, fh)
    return items


def _mean_emb(emb: np.ndarray) -> np.ndarray:
    if emb.shape[1] == 0:
        return np.zeros(0, dtype=np.float32)
    if len(emb) == 0:
        return np.zeros(384, dtype=np.float32)
    m = emb.mean(axis=0)
    return (m / max(float(np.linalg.norm(m)), 1e-12)).astype(np.float32)


def _folds_hash(items: list[Item]) -> bytes:
    """The fold of every item: cached out-of-fold results are only valid for the same folds."""
    return bytes(it.fold for it in items)


def _corpus_hash(docs: list[Doc]) -> str:
    h = hashlib.sha1()
    for d in docs:
        h.update(d.id.encode())
        h.update(hashlib.sha1(d.text.encode()).digest())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------- sentence model


def fit_projection(items: list[Item], n: int = 20_000) -> Projection | None:
    """PCA of a seeded sample of sentence embeddings (unsupervised: no labels used); None for a
    detector without embeddings."""
    from sklearn.decomposition import PCA

    if not USE_EMBEDDINGS:
        return None
    emb = np.vstack([it.sent_emb for it in items if it.sentences]).astype(np.float64)
    rng = np.random.default_rng(SEED)
    if len(emb) > n:
        emb = emb[np.sort(rng.choice(len(emb), n, replace=False))]
    pca = PCA(EMBEDDING_COMPONENTS, svd_solver="full").fit(emb)
    return Projection(pca.mean_.astype(np.float32), pca.components_.astype(np.float32))


def item_rows(it: Item, projection: Projection | None) -> np.ndarray:
    return sentence_matrix(
        it.sent_feats, it.sent_emb, it.doc_feat, it.doc_emb, projection, it.sent_lex
    )


# ---------------------------------------------------------------- n-gram model


def fit_lexical_on(items: list[Item]) -> LexicalModel:
    """The n-gram model on every labelled sentence of the paired sources among `items`."""
    texts, labels = [], []
    for it in items:
        # Synthetic hybrids only re-splice sentences the real texts already contribute.
        if it.doc.source not in PAIRED_SOURCES or it.doc.meta.get("synthetic"):
            continue
        for s, y in zip(it.sentences, it.sent_labels, strict=True):
            if y >= 0:
                texts.append(s.text)
                labels.append(int(y))
    return fit_lexical(texts, np.array(labels))


def fit_lexical_stage(
    items: list[Item], log: Log, cache_dir: Path | None = None
) -> tuple[list[np.ndarray], LexicalModel]:
    """Out-of-fold n-gram log-odds of every text's sentences, and the model on all `items`
    (six fits of ~40 s, cached on disk by the exact inputs)."""
    h = hashlib.sha1(LEXICAL_VERSION.encode() + _corpus_hash([it.doc for it in items]).encode())
    h.update(_folds_hash(items))

    def compute() -> tuple[list[np.ndarray], LexicalModel]:
        out: list[np.ndarray] = [np.zeros(0, dtype=np.float32)] * len(items)
        for k in range(N_FOLDS):
            log(f"n-gram model, fold {k + 1}/{N_FOLDS}")
            model = fit_lexical_on([it for it in items if it.fold != k])
            for i, it in enumerate(items):
                if it.fold == k:
                    out[i] = model.log_odds([s.text for s in it.sentences])
        log("n-gram model on all texts")
        return out, fit_lexical_on(items)

    return _disk_cached(cache_dir, f"lexical-{h.hexdigest()[:16]}", compute, log, "n-gram model")


def with_lexical(items: list[Item], lex: list[np.ndarray]) -> list[Item]:
    """Copies of `items` carrying their n-gram log-odds (the originals are shared between fits)."""
    return [replace(it, sent_lex=v) for it, v in zip(items, lex, strict=True)]


def training_rows(items: list[Item], seed: int = SEED) -> list[np.ndarray]:
    """Indices of the sentences each text contributes to sentence-level training: every labelled
    sentence of a hybrid, a seeded sample of PURE_SENTENCES_PER_DOC of a pure text."""
    rng = np.random.default_rng(seed)
    out = []
    for it in items:
        idx = np.where(it.sent_labels >= 0)[0]
        if it.doc.label != "hybrid" and len(idx) > PURE_SENTENCES_PER_DOC:
            idx = np.sort(rng.choice(idx, PURE_SENTENCES_PER_DOC, replace=False))
        out.append(idx)
    return out


def sentence_xy(
    items: list[Item], projection: Projection | None, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """All sentences of hybrids; a seeded sample of sentences of pure texts."""
    xs, ys = [], []
    for it, idx in zip(items, training_rows(items, seed), strict=True):
        if not it.sentences:
            continue
        xs.append(item_rows(it, projection)[idx])
        ys.append(it.sent_labels[idx])
    return np.vstack(xs), np.concatenate(ys).astype(int)


def fit_sentence_model(items: list[Item], projection: Projection | None) -> Any:
    """Gradient-boosted trees: beat the logistic regression on valid hybrids (sentence AUROC
    0.915 vs 0.889) by using interactions, e.g. a sentence's contrast with its neighbours."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = sentence_xy(items, projection)
    model = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.08, l2_regularization=1.0, random_state=SEED
    )
    return model.fit(x, y)


def item_sentence_probs(model: Any, it: Item, projection: Projection | None) -> np.ndarray:
    if not it.sentences:
        return np.zeros(0)
    return np.asarray(model.predict_proba(item_rows(it, projection))[:, 1])


def oof_sentence_probs(
    items: list[Item], projection: Projection | None, log: Log
) -> list[np.ndarray]:
    """Stage-1 sentence probabilities of every text from a model that did not see its fold."""
    out: list[np.ndarray] = [np.zeros(0)] * len(items)
    for k in range(N_FOLDS):
        log(f"sentence model, fold {k + 1}/{N_FOLDS}")
        model = fit_sentence_model([it for it in items if it.fold != k], projection)
        for i, it in enumerate(items):
            if it.fold == k:
                out[i] = item_sentence_probs(model, it, projection)
    return out


STAGE1_VERSION = "s1-hgb300-lr0.08-l2-1"


def fit_stage1(
    items: list[Item], projection: Projection | None, log: Log, cache_dir: Path | None = None
) -> tuple[list[np.ndarray], Any]:
    """Out-of-fold stage-1 probabilities and the stage-1 model fitted on all `items`: the slow
    part of training (six tree fits), cached on disk by the exact inputs (deterministic)."""
    h = hashlib.sha1(STAGE1_VERSION.encode() + FEATURE_VERSION.encode())
    h.update(_corpus_hash([it.doc for it in items]).encode())
    h.update(_folds_hash(items))
    if projection is not None:
        h.update(projection.mean.tobytes() + projection.components.tobytes())
    for it in items:
        h.update(b"" if it.sent_lex is None else it.sent_lex.tobytes())

    def compute() -> tuple[list[np.ndarray], Any]:
        probs = oof_sentence_probs(items, projection, log)
        log("stage-1 sentence model on all texts")
        return probs, fit_sentence_model(items, projection)

    key = f"stage1-{h.hexdigest()[:16]}"
    return _disk_cached(cache_dir, key, compute, log, "stage-1 sentence model")


def _disk_cached(
    cache_dir: Path | None, key: str, compute: Callable[[], Cached], log: Log, what: str
) -> Cached:
    """`compute()`, pickled under `cache_dir/key.pkl` (`key` hashes the exact inputs)."""
    path = cache_dir / f"{key}.pkl" if cache_dir else None
    if path is not None and path.exists():
        with path.open("rb") as fh:
            cached: Cached = pickle.load(fh)
        log(f"{what}: cached")
        return cached
    result = compute()
    if path is not None:
        with atomic_writer(path) as fh:
            pickle.dump(result, fh)
    return result


def context_xy(items: list[Item], probs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every labelled sentence (the rows are small, and whole human essays show the runs of
    high stage-1 probabilities that the passage rule must not mistake for AI)."""
    xs, ys = [], []
    for it, p in zip(items, probs, strict=True):
        idx = np.where(it.sent_labels >= 0)[0]
        if not it.sentences or not len(idx):
            continue
        xs.append(context_rows(p, it.sent_feats[:, 0])[idx])
        ys.append(it.sent_labels[idx])
    return np.vstack(xs), np.concatenate(ys).astype(int)


def fit_context_model(items: list[Item], probs: list[np.ndarray]) -> Any:
    """Stage 2: re-scores each sentence from the out-of-fold stage-1 probabilities of it, its
    neighbours and its document (small trees on ~20 columns)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = context_xy(items, probs)
    model = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0,
        random_state=SEED,
    )  # fmt: skip
    return model.fit(x, y)


def context_probs(model: Any, it: Item, p: np.ndarray) -> np.ndarray:
    if not it.sentences:
        return np.zeros(0)
    return np.asarray(model.predict_proba(context_rows(p, it.sent_feats[:, 0]))[:, 1])


def oof_context_probs(items: list[Item], probs: list[np.ndarray]) -> list[np.ndarray]:
    out: list[np.ndarray] = [np.zeros(0)] * len(items)
    for k in range(N_FOLDS):
        tr = [i for i, it in enumerate(items) if it.fold != k]
        model = fit_context_model([items[i] for i in tr], [probs[i] for i in tr])
        for i, it in enumerate(items):
            if it.fold == k:
                out[i] = context_probs(model, it, probs[i])
    return out


def best_sentence_threshold(probs: list[np.ndarray], items: list[Item]) -> float:
    """Threshold maximising sentence F1 on the hybrids given."""
    hyb = [i for i, it in enumerate(items) if it.doc.label == "hybrid"]
    p = np.concatenate([probs[i] for i in hyb])
    y = np.concatenate([items[i].sent_labels for i in hyb])
    grid = np.round(np.linspace(0.2, 0.8, 25), 3)
    f1 = [f1_score(y, p >= t) for t in grid]
    return float(grid[int(np.argmax(f1))])


def f1_score(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(((y == 1) & pred).sum())
    fp = float(((y == 0) & pred).sum())
    fn = float(((y == 1) & ~pred).sum())
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


# ---------------------------------------------------------------- document model


def doc_xy(items: list[Item], probs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [doc_input(it.doc_feat, p, it.sent_lex) for it, p in zip(items, probs, strict=True)]
    x = np.stack(rows)
    y = np.array([it.doc.is_ai for it in items])
    cells = Counter((it.doc.source, it.doc.is_ai) for it in items)
    # Every (source, label) cell weighs the same in total, so no source dominates the fit.
    w = np.array([len(items) / (len(cells) * cells[(it.doc.source, it.doc.is_ai)]) for it in items])
    return x, y, w


def fit_doc_model(items: list[Item], probs: list[np.ndarray]) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, w = doc_xy(items, probs)
    model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=SEED)
    return model.fit(x, y, sample_weight=w)


def oof_doc_raw(items: list[Item], probs: list[np.ndarray]) -> np.ndarray:
    """Out-of-fold document probabilities (prompt-grouped folds)."""
    folds = np.array([it.fold for it in items])
    out = np.zeros(len(items))
    for k in range(N_FOLDS):
        tr = np.where(folds != k)[0]
        te = np.where(folds == k)[0]
        model = fit_doc_model([items[i] for i in tr], [probs[i] for i in tr])
        x, _, _ = doc_xy([items[i] for i in te], [probs[i] for i in te])
        out[te] = model.predict_proba(x)[:, 1]
    return out


def fit_calibrator(raw: np.ndarray, y: np.ndarray) -> Any:
    """Platt scaling on the log-odds: strictly increasing, so the threshold can be set finely
    (isotonic regression pools the top into one plateau of humans and AI alike)."""
    return PlattCalibrator().fit(raw, y)


def lowest_passing(candidates: np.ndarray, passes: Callable[[float], bool]) -> float | None:
    """The smallest sorted candidate that passes, when passing is monotone (False below the
    answer, True from it up); None when none passes. A rate of texts scoring >= t only falls as
    t rises, so every threshold rule here is such a search."""
    i = bisect.bisect_left(candidates, True, key=passes)
    return float(candidates[i]) if i < len(candidates) else None


def choose_threshold(
    score: np.ndarray, items: list[Item], target: float = TARGET_FPR
) -> tuple[float, dict[str, float]]:
    """Lowest 0-100 threshold at which human essays of every writer group and of every essay
    source have FPR <= target."""
    masks = [m for m in _essay_masks(items) if m.any()]

    def safe(t: float) -> bool:
        return max(float((score[m] >= t).mean()) for m in masks) <= target

    found = lowest_passing(np.unique(np.round(score, 3)), safe)
    if found is None:
        return 100.0, dict.fromkeys(HUMAN_GROUPS, 0.0)
    return found, fpr_by_group(score, items, found)


def fpr_by_group(score: np.ndarray, items: list[Item], t: float) -> dict[str, float]:
    """FPR per writer group and per human source (keys `group` and `group/source`)."""
    return rate_by_group(score >= t, items)


def rate_by_group(hit: np.ndarray, items: list[Item]) -> dict[str, float]:
    """Rate per writer group (`native`), per group and source (`native/asap`) and per human
    population (`population:academic`)."""
    keys = [it.doc.group for it in items]
    sub = [f"{it.doc.group}/{it.doc.source}" for it in items]
    out = {}
    for g in HUMAN_GROUPS:
        m = np.array([k == g for k in keys])
        out[g] = round(float(hit[m].mean()), 4) if m.any() else 0.0
    for name in sorted({s for s, it in zip(sub, items, strict=True) if it.doc.label == "human"}):
        m = np.array([s == name for s in sub])
        out[name] = round(float(hit[m].mean()), 4)
    pops = np.array([population(it.doc) for it in items])
    for name in sorted(set(pops.tolist()) - {"ai"}):
        out[f"population:{name}"] = round(float(hit[pops == name].mean()), 4)
    return out


def choose_passage_threshold(
    items: list[Item],
    probs: list[np.ndarray],
    flagged: np.ndarray,
    enough: np.ndarray,
    target: float = LABEL_TARGET_FPR,
) -> tuple[float, np.ndarray]:
    """Lowest passage threshold at which human essays labelled AI/Hybrid by either rule (flagged
    by the document score, or holding a passage) stay <= target in every writer group and essay
    source, on out-of-fold probabilities. Returns it and every text's passage score."""
    ps = np.array([passage_score(p, PASSAGE_SENTENCES) for p in probs]) * enough
    return lowest_passage_threshold(items, ps, flagged, target), ps


def lowest_passage_threshold(
    items: list[Item], ps: np.ndarray, flagged: np.ndarray, target: float = LABEL_TARGET_FPR
) -> float:
    """Lowest threshold on the passage scores `ps` that keeps human essays flagged OR holding a
    passage <= target in every writer group and essay source (1.01: none does)."""
    masks = [m for m in _essay_masks(items) if m.any()]

    def safe(t: float) -> bool:
        return max(float((flagged | (ps >= t))[m].mean()) for m in masks) <= target

    found = lowest_passing(np.unique(np.round(ps, 4)), safe)
    return 1.01 if found is None else found


def _essay_masks(items: list[Item]) -> list[np.ndarray]:
    """The human texts whose false-positive rate each threshold must hold on its own: every
    writer group, every essay source, and every population of at least MIN_POPULATION texts."""
    human = np.array([it.doc.label == "human" for it in items])
    sources = np.array([it.doc.source for it in items])
    groups = np.array([it.doc.group for it in items])
    pops = np.array([population(it.doc) for it in items])
    masks = [groups == g for g in ESSAY_GROUPS] + [human & (sources == s) for s in ESSAY_SOURCES]
    for name in sorted(set(pops.tolist()) - {"ai"}):
        if (pops == name).sum() >= MIN_POPULATION:
            masks.append(pops == name)
    return masks


def population_profiles(
    items: list[Item], score: np.ndarray, labelled: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Per human population: the centroid of its texts' document embeddings (which population a
    new text looks like), its sorted out-of-fold scores (`fpr_at_score`) and the share of it
    labelled AI or Hybrid out of fold (`fpr_at_threshold`)."""
    pops = np.array([population(it.doc) for it in items])
    feats = np.stack([it.doc_feat for it in items])
    human = pops != "ai"
    mean, std = feats[human].mean(0), feats[human].std(0) + 1e-6
    out: dict[str, dict[str, Any]] = {"_scale": {"mean": mean.astype(np.float32),
                                                 "std": std.astype(np.float32)}}  # fmt: skip
    for name in sorted(set(pops.tolist()) - {"ai"}):
        m = pops == name
        if m.sum() < MIN_POPULATION:
            continue
        out[name] = {
            # Centroid of the population's document style features (z-scored): the genre a
            # new text looks like, judged by how it is written, not what it is about.
            "centroid": ((feats[m] - mean) / std).mean(0).astype(np.float32),
            "scores": np.sort(score[m].round(2)).astype(np.float32),
            "label_fpr": round(float(labelled[m].mean()), 4),
            "n": int(m.sum()),
        }
    return out


def cue_stats(items: list[Item]) -> dict[str, list[float]]:
    """Feature means of human essays and AI texts, for the human-readable reasons."""
    human = np.stack([it.doc_feat for it in items if it.doc.group in ESSAY_GROUPS])
    ai = np.stack([it.doc_feat for it in items if it.doc.label == "ai"])
    return {
        "human_mean": human.mean(0).round(5).tolist(),
        "human_std": human.std(0).round(5).tolist(),
        "ai_mean": ai.mean(0).round(5).tolist(),
    }


# ---------------------------------------------------------------- entry points


def fit_detector(
    items: list[Item],
    log: Log = print,
    synth: list[Item] | None = None,
    cache_dir: Path | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit everything on `items`; returns the artifact payload and the out-of-fold figures.

    `synth` (synthetic hybrids) only train the two sentence stages; the document model, the
    calibration and every threshold use the real texts only. The whole result is cached on disk
    by its exact inputs and the training code itself, so `aaie train detector` and
    bench/detection_loso.py share one fit (~40 min on 2 cores) instead of repeating it."""
    synth = synth or []
    h = hashlib.sha1(_code_hash() + _folds_hash(items + synth))
    h.update(_corpus_hash([it.doc for it in items + synth]).encode())
    key = f"fit-{h.hexdigest()[:16]}"
    return _disk_cached(
        cache_dir, key, lambda: _fit_detector(items, log, synth, cache_dir), log, "detector fit"
    )


def _code_hash() -> bytes:
    """The source of the modules a fit depends on: a changed line invalidates cached fits."""
    from aaie.engine.detection import engine, features, lexical, model, synth

    h = hashlib.sha1()
    for module in (features, lexical, model, synth):
        h.update(Path(str(module.__file__)).read_bytes())
    h.update(Path(__file__).read_bytes())
    # Of the engine only its short-text rule enters a fit (`_long_enough`): its serving code
    # changing must not throw away a 40-minute fit.
    h.update(f"{engine.MIN_WORDS},{engine.MIN_SENTENCES}".encode())
    return h.digest()


def _fit_detector(
    items: list[Item], log: Log, synth: list[Item], cache_dir: Path | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    lex, lexical = fit_lexical_stage(items + synth, log, cache_dir)
    items, synth = with_lexical(items, lex[: len(items)]), with_lexical(synth, lex[len(items) :])
    sent_items = items + synth
    projection = fit_projection(items)
    stage1, sentence_model = fit_stage1(sent_items, projection, log, cache_dir)
    log("cross-validating the context model")
    all_probs = oof_context_probs(sent_items, stage1)
    probs = all_probs[: len(items)]
    sent_threshold = best_sentence_threshold(probs, items)
    log("cross-validating the document model")
    raw = oof_doc_raw(items, probs)
    y = np.array([it.doc.is_ai for it in items])
    calibrator = fit_calibrator(raw, y)
    score = 100 * calibrator.predict(raw)
    threshold, fprs = choose_threshold(score, items, SCORE_TARGET_FPR)
    log(f"threshold {threshold:.2f}, out-of-fold FPR per group {fprs}")
    enough = np.array([_long_enough(it) for it in items])
    flagged = (score >= threshold) & enough
    passage_t, ps = choose_passage_threshold(items, probs, flagged, enough)
    labelled = flagged | (ps >= passage_t)
    label_fpr = rate_by_group(labelled, items)
    log(f"passage threshold {passage_t:.4f}, out-of-fold AI/Hybrid label rate {label_fpr}")
    log("fitting the final models")
    payload = {
        # The three tree models ship as arrays (engine.trees): fast single-essay prediction,
        # and serving imports no scikit-learn tree code.
        "doc_model": pack(fit_doc_model(items, probs)),
        "calibrator": calibrator,
        "sentence_model": pack(sentence_model),
        "lexical": lexical,
        "context_model": pack(fit_context_model(sent_items, stage1)),
        "projection": projection,
        "passage_threshold": passage_t,
        "passage_calibrator": fit_calibrator(ps, y),
        "label_fpr": label_fpr,
        "sentence_threshold": sent_threshold,
        "threshold": threshold,
        "fpr_at_threshold": max(v for k, v in fprs.items() if k.startswith(ESSAY_GROUPS)),
        "cue_stats": cue_stats(items),
        "human_scores": np.sort(
            score[[it.doc.group in ESSAY_GROUPS for it in items]].round(2)
        ).astype(np.float32),
        "populations": population_profiles(items, score, labelled),
    }
    oof = {
        "score": score,
        "sentence_probs": probs,
        "stage1_probs": stage1[: len(items)],
        "synth_sentence_probs": all_probs[len(items) :],
        "fpr_by_group": fprs,
        "passage_score": ps,
        "label_fpr_by_group": label_fpr,
    }
    return payload, oof


def _long_enough(it: Item) -> bool:
    """The engine's short-text rule (no statistical label below it)."""
    from aaie.engine.detection.engine import MIN_SENTENCES, MIN_WORDS
    from aaie.engine.text import word_count

    return word_count(it.doc.text) >= MIN_WORDS and len(it.sentences) >= MIN_SENTENCES


def training_corpus(
    data_dir: Path, cache_dir: Path, log: Log = print
) -> tuple[list[Item], list[Item]]:
    """The texts every fit uses (real texts + student-habit rewrites) and the synthetic hybrids
    (sentence stages only): shared by `train` and bench/detection.py, so the benchmark measures
    the procedure that ships."""
    docs = load_corpus(data_dir)
    log(f"{len(docs)} texts: {dict(Counter(d.source for d in docs))}")
    rewrites = student_rewrites(docs)
    log(f"{len(rewrites)} student-habit rewrites of train-split OUTFOX AI essays")
    items = build_items(docs + rewrites, cache_dir, log)
    synth = build_items(synthetic_hybrids(docs), cache_dir, log)
    log(f"{len(synth)} synthetic hybrids (train split only) for the sentence model")
    return items, synth

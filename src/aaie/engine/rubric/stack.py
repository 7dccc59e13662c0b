"""Known-prompt features and calibration for the built-in scorer (numpy only at inference).

Essays are judged relative to other essays written for the same prompt: a 500-word answer is
long for a source-based question and short for a persuasive letter. The scorer cannot see other
essays for a NEW prompt, but it can recognise a prompt it was trained on from the prompt text:
when the prompt embedding has cosine >= `KNOWN_PROMPT_SIM` with a training prompt, the essay
is scored by a model that also sees that prompt group's features (its base features standardised
against the group's training essays, and per-group ridge regressions of every target on the full
MiniLM document embedding), calibrated by quantile mapping onto the group's human score
distribution. Any other prompt goes to a fallback model without group features and a global
variance-matching stretch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aaie.engine.rubric.features import BASE_FEATURES, FEATURE_NAMES
from aaie.engine.rubric.lexical import fit_lexical_groups, lexical_features

# Cosine of prompt embeddings. Different ASAP prompts are <= 0.55 apart (and <= 0.54 from any
# ELLIPSE title); the first sentence of an ASAP prompt is >= 0.75 from its full text, its title
# 0.58-0.78. A prompt this close to a training prompt is treated as that prompt.
KNOWN_PROMPT_SIM = 0.72
MIN_GROUP_ROWS = 50  # smaller groups get no per-group ridge/calibration
# With NO prompt, an essay is scored against a training prompt group when it clearly answers
# one of the group's prompts: cosine >= RECOGNISE_MIN between its document embedding and the
# mean embedding of that prompt's training essays. At 0.65, out of fold, 88 % of ASAP and 91 %
# of ELLIPSE essays are recognised (99.3 % / 100 % of those into their own group), and none of
# 200 Fast-DetectGPT human texts (news, fiction, PubMed) are (bench/scoring_no_prompt.py). The
# threshold was set from those recognition rates, before any QWK was measured with it.
RECOGNISE_MIN = 0.65
QUANTILES = np.linspace(0.0, 1.0, 101)
BASE_COLS = [FEATURE_NAMES.index(n) for n in BASE_FEATURES]


def match_group(groups: dict[str, Any], prompt_embedding: np.ndarray | None) -> str | None:
    """The training prompt group this prompt belongs to, or None for an unknown prompt."""
    if prompt_embedding is None or not len(groups["names"]):
        return None
    sims = groups["embeddings"] @ prompt_embedding
    j = int(np.argmax(sims))
    return str(groups["names"][j]) if sims[j] >= KNOWN_PROMPT_SIM else None


def fit_recognition(
    doc_emb: np.ndarray, prompt_ids: list[str], groups: list[str]
) -> dict[str, Any]:
    """One unit centroid of the training essays' document embeddings per prompt, with the
    group that prompt belongs to."""
    ids = np.array(prompt_ids)
    names = sorted(set(prompt_ids))
    centroids = np.array([doc_emb[ids == n].mean(axis=0) for n in names], dtype=np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    group_of = dict(zip(prompt_ids, groups, strict=True))
    return {"centroids": centroids, "groups": [group_of[n] for n in names]}


def recognise_group(
    recognition: dict[str, Any] | None, doc_embedding: np.ndarray
) -> tuple[str, float] | None:
    """(group, cosine) of the training prompt this essay clearly answers, or None."""
    if recognition is None or not np.any(doc_embedding):
        return None
    unit = doc_embedding / max(float(np.linalg.norm(doc_embedding)), 1e-12)
    sims = recognition["centroids"] @ unit
    j = int(np.argmax(sims))
    return (str(recognition["groups"][j]), float(sims[j])) if sims[j] >= RECOGNISE_MIN else None


def essay_vector(sentence_embeddings: np.ndarray, document_embedding: np.ndarray) -> np.ndarray:
    """What the per-group ridge reads: the mean (document) embedding and the element-wise max
    over the sentence embeddings (max-pooling keeps the strongest sentence-level signals that
    averaging washes out). Shared MiniLM work, so it costs nothing extra."""
    if len(sentence_embeddings) == 0:
        return np.zeros(2 * len(document_embedding), dtype=np.float32)
    peak = np.asarray(sentence_embeddings, dtype=np.float32).max(axis=0)
    return np.concatenate([document_embedding.astype(np.float32), peak])


def ridge_inputs(X: np.ndarray, doc_emb: np.ndarray) -> np.ndarray:
    return np.hstack([doc_emb.astype(np.float64), np.nan_to_num(X[:, BASE_COLS])])


def group_features(
    part: dict[str, Any],
    X: np.ndarray,
    doc_emb: np.ndarray,
    groups: list[str | None],
    texts: list[str] | None = None,
) -> np.ndarray:
    """Per row: base features as z-scores within its prompt group, the group's ridge
    prediction of EVERY target from the document embedding (the criteria are strongly
    correlated, so each target's model sees the others' estimates) and, when the part has
    them, the group's bag-of-words ridge estimates of every target; NaN where unknown."""
    embedded = _embedding_group_features(part, X, doc_emb, groups)
    if part.get("lexical") is None:
        return embedded
    if texts is None:
        raise ValueError("this scorer's group features need the essay text")
    lexical = lexical_features(part["lexical"], texts, groups, len(part["targets"]))
    return np.hstack([embedded, lexical])


def _embedding_group_features(
    part: dict[str, Any], X: np.ndarray, doc_emb: np.ndarray, groups: list[str | None]
) -> np.ndarray:
    targets = part["targets"]
    out = np.full((len(X), len(BASE_COLS) + len(targets)), math.nan)
    R = (ridge_inputs(X, doc_emb) - part["ridge_mu"]) / part["ridge_sd"]
    for i, g in enumerate(groups):
        if g is None:
            continue
        if g in part["stats"]:
            mu, sd = part["stats"][g]
            out[i, : len(BASE_COLS)] = (X[i, BASE_COLS] - mu) / sd
        for j, t in enumerate(targets):
            if (g, t) in part["ridge"]:
                w, b = part["ridge"][(g, t)]
                out[i, len(BASE_COLS) + j] = float(R[i] @ w + b)
    return out


def fit_group_part(
    X: np.ndarray,
    doc_emb: np.ndarray,
    Y: np.ndarray,
    targets: tuple[str, ...],
    groups: list[str],
    alpha: float,
    alpha_factors: tuple[float, ...] = (1.0,),
    texts: list[str] | None = None,
    lexical_alpha: float | None = None,
) -> dict[str, Any]:
    """Group statistics and per-group, per-target ridge models (`Y`: one column per target,
    NaN where an essay lacks that score). With several `alpha_factors` each ridge picks its
    penalty by efficient leave-one-out cross-validation on its own training rows. With `texts`
    and `lexical_alpha`, also each group's bag-of-words ridge of every target."""
    from sklearn.linear_model import Ridge, RidgeCV

    R = ridge_inputs(X, doc_emb)
    mu, sd = R.mean(axis=0), R.std(axis=0) + 1e-6
    Rz = (R - mu) / sd
    garr = np.array(groups)
    stats, ridge = {}, {}
    for g in sorted(set(groups)):
        m = garr == g
        base = X[m][:, BASE_COLS]
        stats[g] = (np.nanmean(base, axis=0), np.nanstd(base, axis=0) + 1e-6)
        for j, t in enumerate(targets):
            mt = m & ~np.isnan(Y[:, j])
            if mt.sum() >= MIN_GROUP_ROWS:
                # alpha grows with the group size so the shrinkage per row stays comparable
                a = alpha * mt.sum() / 100
                model = (
                    Ridge(alpha=a)
                    if len(alpha_factors) == 1
                    else RidgeCV(alphas=[a * f for f in alpha_factors])
                ).fit(Rz[mt], Y[mt, j])
                ridge[(g, t)] = (model.coef_.astype(np.float64), float(model.intercept_))
    lexical = (
        fit_lexical_groups(texts, Y, groups, lexical_alpha)
        if texts is not None and lexical_alpha is not None
        else None
    )
    return {
        "ridge_mu": mu, "ridge_sd": sd, "stats": stats, "ridge": ridge, "targets": targets,
        "lexical": lexical,
    }  # fmt: skip


def blend(
    trees: np.ndarray, G: np.ndarray, part: dict[str, Any], target: str, w: float, w_lexical: float
) -> np.ndarray:
    """A known prompt's prediction of `target`: the trees, the group's embedding ridge and (when
    `part` has one) its bag-of-words ridge of that target, read from the group features `G` that
    `group_features(part, ...)` made (a missing estimate gives its weight back to the trees)."""
    n, j = len(part["targets"]), part["targets"].index(target)
    ridge = G[:, len(BASE_COLS) + j]
    has_lexical = part.get("lexical") is not None
    lexical = G[:, len(BASE_COLS) + n + j] if has_lexical else np.full(len(G), math.nan)
    wr = np.where(np.isnan(ridge), 0.0, w)
    wl = np.where(np.isnan(lexical), 0.0, w_lexical)
    mixed = (1 - wr - wl) * trees + wr * np.nan_to_num(ridge) + wl * np.nan_to_num(lexical)
    return np.asarray(mixed)


# ---------------------------------------------------------------- calibration


def stretch_params(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """(a, b) so that a + b * pred has the gold mean and spread (variance matching)."""
    ok = ~np.isnan(pred) & ~np.isnan(gold)
    b = float(np.std(gold[ok]) / max(np.std(pred[ok]), 1e-6))
    a = float(np.mean(gold[ok]) - b * np.mean(pred[ok]))
    return a, b


def fit_calibration(
    pred: np.ndarray,
    gold: np.ndarray,
    groups: list[str | None],
    fallback_pred: np.ndarray | None = None,
) -> dict[str, Any]:
    """Per known group, a quantile map of out-of-fold predictions onto the group's human scores
    (keeps each prompt's score distribution, hence its bands); for other prompts a global
    variance-matching stretch (of the fallback model's predictions when given)."""
    ok = ~np.isnan(pred) & ~np.isnan(gold)
    garr = np.array([g or "" for g in groups])
    maps = {}
    for g in sorted(set(garr[ok]) - {""}):
        m = ok & (garr == g)
        if m.sum() >= MIN_GROUP_ROWS:
            maps[g] = (np.quantile(pred[m], QUANTILES), np.quantile(gold[m], QUANTILES))
    base = pred if fallback_pred is None else fallback_pred
    return {"global": stretch_params(base, gold), "groups": maps}


def apply_calibration(
    cal: dict[str, Any], pred: np.ndarray, groups: list[str | None]
) -> np.ndarray:
    a, b = cal["global"]
    out = a + b * pred
    for i, g in enumerate(groups):
        if g in cal["groups"] and not math.isnan(pred[i]):
            pq, gq = cal["groups"][g]
            out[i] = np.interp(pred[i], pq, gq)
    return np.asarray(out)

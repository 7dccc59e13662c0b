"""Per-prompt bag-of-words ridge: which words, phrases and spellings a prompt's better essays use.

Within one prompt, vocabulary carries what the MiniLM document embedding averages away: the
source details a source-based answer cites, the topic words of a well-developed argument, the
misspellings and fillers of a weak one. Each known prompt group gets a TF-IDF ridge regression
of every target on word uni-/bigrams and within-word character 2-5-grams (sublinear tf, each
block l2-normalised, as scikit-learn's `TfidfVectorizer`). It is trained with scikit-learn and
shipped as vocabularies and arrays, served by `engine.tfidf` without scikit-learn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from aaie.engine.tfidf import COUNTERS, Vocabulary

# Each block's scikit-learn settings (the served transform below implements exactly these).
BLOCKS: dict[str, dict[str, Any]] = {
    "word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 3, "max_features": 8000},
    "char_wb": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 5, "max_features": 10000},
}
KINDS: tuple[str, ...] = ("word", "char_wb")  # blocks the shipped model uses
MIN_ROWS = 50  # a target needs this many essays in the group to get a lexical model


@dataclass
class LexicalRidge:
    """One group's TF-IDF blocks and one ridge per target over their concatenation (a NaN
    row: no model for that target)."""

    blocks: list[Vocabulary]
    coef: np.ndarray  # (targets, sum of block sizes), float16
    intercept: np.ndarray  # (targets,)

    def predict(self, text: str) -> np.ndarray:
        out = np.array(self.intercept, dtype=np.float64)
        offset = 0
        for block in self.blocks:
            idx, vals = block.vector(text)
            out += self.coef[:, offset + idx].astype(np.float64) @ vals
            offset += len(block.idf)
        return out


class _TermCounts:
    """Training-time cache: each essay's term counts per block, analysed once (cross-validation
    refits the same essays dozens of times, and the character analyzer is the slow part)."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = {kind: {} for kind in BLOCKS}
        self.rows: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self.names_cache: dict[str, list[str]] = {}

    def matrix(self, kind: str, texts: list[str]) -> Any:
        import scipy.sparse as sp

        ids = self.ids[kind]
        indptr, indices, data = [0], [], []
        for text in texts:
            key = (kind, text)
            if key not in self.rows:
                counts = COUNTERS[kind](text)
                cols = np.array([ids.setdefault(t, len(ids)) for t in counts], dtype=np.int64)
                self.rows[key] = (cols, np.fromiter(counts.values(), np.float64, len(counts)))
            cols, vals = self.rows[key]
            indices.append(cols)
            data.append(vals)
            indptr.append(indptr[-1] + len(cols))
        shape = (len(texts), len(ids))
        values = np.concatenate([np.zeros(0), *data])
        columns = np.concatenate([np.zeros(0, np.int64), *indices])
        return sp.csr_matrix((values, columns, np.array(indptr)), shape=shape)

    def names(self, kind: str, cols: np.ndarray) -> list[str]:
        if len(self.names_cache.get(kind, ())) != len(self.ids[kind]):
            self.names_cache[kind] = list(self.ids[kind])  # insertion order = id order
        names = self.names_cache[kind]
        return [names[int(c)] for c in cols]


_COUNTS = _TermCounts()


def _tfidf_block(kind: str, texts: list[str]) -> tuple[Vocabulary, Any]:
    """The block's vocabulary (terms in >= min_df essays, the max_features most frequent) and
    the essays' tf-idf rows, as `TfidfVectorizer(sublinear_tf=True)` computes them."""
    import scipy.sparse as sp

    cfg = BLOCKS[kind]
    C = _COUNTS.matrix(kind, texts)
    df = np.asarray((C > 0).sum(axis=0)).ravel()
    total = np.asarray(C.sum(axis=0)).ravel()
    eligible = np.where(df >= cfg["min_df"])[0]
    cols = eligible[np.argsort(-total[eligible], kind="stable")][: cfg["max_features"]]
    names = _COUNTS.names(kind, cols)
    order = sorted(range(len(cols)), key=names.__getitem__)  # columns in term order, as sklearn
    cols, names = cols[order], [names[i] for i in order]
    n = len(texts)
    idf = np.log((1 + n) / (1 + df[cols])) + 1.0
    T = C[:, cols].tocsr()
    T.data = 1.0 + np.log(T.data)
    T = T @ sp.diags(idf)
    norms = np.sqrt(np.asarray(T.multiply(T).sum(axis=1)).ravel())
    T = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ T
    return Vocabulary(kind, {t: j for j, t in enumerate(names)}, idf), T.tocsr()


def fit_lexical(texts: list[str], Y: np.ndarray, alpha: float) -> LexicalRidge | None:
    """Fit one group's model (`Y`: one column per target, NaN where an essay lacks it)."""
    import scipy.sparse as sp
    from sklearn.linear_model import Ridge

    if len(texts) < MIN_ROWS:
        return None
    fitted = [_tfidf_block(kind, texts) for kind in KINDS]
    M = sp.hstack([m for _, m in fitted]).tocsr()
    coef = np.full((Y.shape[1], M.shape[1]), math.nan)
    intercept = np.full(Y.shape[1], math.nan)
    # Targets scored on the same essays are fitted together (one solve, several right sides).
    masks: dict[bytes, list[int]] = {}
    for j in range(Y.shape[1]):
        ok = ~np.isnan(Y[:, j])
        if ok.sum() >= MIN_ROWS:
            masks.setdefault(ok.tobytes(), []).append(j)
    for key, js in masks.items():
        ok = np.frombuffer(key, dtype=bool)
        model = Ridge(alpha=alpha).fit(M[ok], Y[ok][:, js])
        coef[js] = np.atleast_2d(model.coef_)
        intercept[js] = model.intercept_
    # Shipped compact: 9 groups x 18,000 terms x 5 targets. float16 weights move a 0-1 score by
    # ~1e-4; the idf in float32 keeps the rows equal to scikit-learn's to ~1e-7.
    blocks = [Vocabulary(v.kind, v.terms, v.idf.astype(np.float32)) for v, _ in fitted]
    return LexicalRidge(blocks, coef.astype(np.float16), intercept)


def fit_lexical_groups(
    texts: list[str], Y: np.ndarray, groups: list[str], alpha: float
) -> dict[str, LexicalRidge]:
    garr = np.array(groups)
    out: dict[str, LexicalRidge] = {}
    for g in sorted(set(groups)):
        rows = np.where(garr == g)[0]
        model = fit_lexical([texts[i] for i in rows], Y[rows], alpha)
        if model is not None:
            out[g] = model
    return out


def lexical_features(
    models: dict[str, Any], texts: list[str], groups: list[str | None], n_targets: int
) -> np.ndarray:
    """Each row's group lexical estimate of every target (NaN: unknown group or no model)."""
    out = np.full((len(texts), n_targets), math.nan)
    for i, (text, g) in enumerate(zip(texts, groups, strict=True)):
        if g is not None and g in models:
            out[i] = models[g].predict(text)
    return out

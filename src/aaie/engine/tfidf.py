"""TF-IDF rows as scikit-learn's `TfidfVectorizer(sublinear_tf=True)` computes them, served
without scikit-learn.

Models are fitted with scikit-learn and shipped as a `Vocabulary` per block (term -> column and
idf). Serving here is plain Python + numpy and reproduces `TfidfVectorizer.transform` (same
token pattern, lower-casing, word n-grams, `char_wb` character n-grams, smoothed idf, l2 norm):
faster per text, because each distinct word's character n-gram columns are cached per process,
and it keeps scikit-learn's text module out of the serving process's start-up. The rubric's
per-prompt ridge and the detector's n-gram sentence model both use it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

_WORD_CACHE_SIZE = 50_000  # distinct words per block whose n-gram columns stay cached

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_WHITESPACE = re.compile(r"\s\s+")


def word_terms(text: str) -> list[str]:
    """Unigrams and bigrams as scikit-learn builds them (lower-cased, joined by a space)."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def _words(text: str) -> Counter[str]:
    return Counter(_WHITESPACE.sub(" ", text.lower()).split())


def _char_grams(word: str, lo: int = 2, hi: int = 5) -> list[str]:
    """One word's character n-grams, space-padded, as scikit-learn's `char_wb` cuts them."""
    w = f" {word} "
    grams: list[str] = []
    for n in range(lo, hi + 1):
        grams += [w[i : i + n] for i in range(max(1, len(w) - n + 1))]
        if len(w) <= n:  # a short word counts once, whole
            break
    return grams


def char_wb_counts(text: str) -> Counter[str]:
    """Counts of character n-grams inside space-padded words (scikit-learn's `char_wb`); each
    distinct word is cut once (essays repeat most of their words)."""
    out: Counter[str] = Counter()
    for w, k in _words(text).items():
        for g in _char_grams(w):
            out[g] += k
    return out


def word_counts(text: str) -> Counter[str]:
    return Counter(word_terms(text))


COUNTERS = {"word": word_counts, "char_wb": char_wb_counts}


@dataclass
class Vocabulary:
    """One TF-IDF block: its analyzer ("word": 1-2-grams, or "char_wb": 2-5-grams), term ->
    column, and idf."""

    kind: str
    terms: dict[str, int]
    idf: np.ndarray

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse row: (column indices, l2-normalised sublinear tf-idf values)."""
        idx, tf = self._char_counts(text) if self.kind == "char_wb" else self._term_counts(text)
        if not len(idx):
            return idx, np.zeros(0)
        vals = (1.0 + np.log(tf)) * self.idf[idx].astype(np.float64)
        return idx, vals / np.linalg.norm(vals)

    def _term_counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        found = [
            (j, c)
            for t, c in COUNTERS[self.kind](text).items()
            if (j := self.terms.get(t)) is not None
        ]
        idx = np.array([j for j, _ in found], dtype=np.int64)
        return idx, np.array([c for _, c in found], dtype=np.float64)

    def _char_counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Per distinct word, its n-grams' columns come from a per-process cache: words recur
        across essays, so a warm process looks up a few hundred words, not ~15,000 n-grams."""
        cache: dict[str, np.ndarray] = self.__dict__.setdefault("_word_columns", {})
        cols, weights = [], []
        for w, k in _words(text).items():
            c = cache.get(w)
            if c is None:
                c = np.array(
                    [j for g in _char_grams(w) if (j := self.terms.get(g)) is not None],
                    dtype=np.int64,
                )
                if len(cache) < _WORD_CACHE_SIZE:
                    cache[w] = c
            cols.append(c)
            weights.append(np.full(len(c), float(k)))
        if not cols:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        # Sparse sums (a sentence touches a few hundred of the block's columns).
        idx, where = np.unique(np.concatenate(cols), return_inverse=True)
        return idx, np.bincount(where, weights=np.concatenate(weights), minlength=len(idx))

    def __getstate__(self) -> dict[str, Any]:
        return {"kind": self.kind, "terms": self.terms, "idf": self.idf}  # not the word cache

"""Learned word and character n-gram evidence that a sentence is AI-written.

A logistic regression on TF-IDF word 1-2-grams and within-word character 2-5-grams of single
sentences. It learns the vocabulary and phrasing of assistant prose far more broadly than the
hand-made word lists in `features.py` (on valid hybrids its sentence AUROC alone is ~0.93, the
stylometric stage 1 ~0.94), and it errs differently, so the trees downstream take its log-odds as
one more sentence feature.

Trained only on sources where human and AI texts answer the *same* prompts or items (OUTFOX
essays and hybrids, Fast-DetectGPT): there topic words cannot tell the classes apart, so the model
learns style. ASAP and ELLIPSE are human-only; had their sentences entered, their prompts' topic
words would have become "human" cues, and an AI essay on a school topic would look human.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from aaie.engine.tfidf import Vocabulary

PAIRED_SOURCES = frozenset({"outfox", "outfox_hybrid", "fastdetectgpt", "biscope", "l2r"})
WORD_FEATURES = 30_000
CHAR_FEATURES = 30_000
C = 1.0
# lex2: served by engine.tfidf (lex1's cached fits hold scikit-learn vectorisers and log-odds).
VERSION = f"lex2-w{WORD_FEATURES}-c{CHAR_FEATURES}-C{C}"


@dataclass
class LexicalModel:
    word: Vocabulary  # word 1-2-grams
    char: Vocabulary  # char_wb 2-5-grams
    coef: np.ndarray  # (n_word + n_char,) float32
    intercept: float

    def log_odds(self, sentences: list[str]) -> np.ndarray:
        """Log-odds that each sentence is AI-written (float32, one per sentence)."""
        n_word = len(self.word.idf)
        out = np.empty(len(sentences), dtype=np.float32)
        for i, sentence in enumerate(sentences):
            w_idx, w_val = self.word.vector(sentence)
            c_idx, c_val = self.char.vector(sentence)
            out[i] = w_val @ self.coef[w_idx] + c_val @ self.coef[n_word + c_idx] + self.intercept
        return out

    def telling_phrases(self, sentences: list[str], k: int = 3) -> list[str]:
        """The word n-grams of `sentences` that weigh most towards AI, strongest first (evidence
        a teacher can check in the text, for the reasons)."""
        weight: defaultdict[int, float] = defaultdict(float)
        for sentence in sentences:
            idx, vals = self.word.vector(sentence)
            for j, w in zip(idx.tolist(), (vals * self.coef[idx]).tolist(), strict=True):
                weight[j] += w
        top = sorted(weight, key=lambda j: (-weight[j], j))[:k]
        return [self._terms[j] for j in top if weight[j] > 0]

    @cached_property
    def _terms(self) -> dict[int, str]:
        return {i: t for t, i in self.word.terms.items()}


# What engine.tfidf reproduces: a vectoriser with other settings would be served wrongly.
_SERVABLE = {"word": (1, 2), "char_wb": (2, 5)}


def _served(vectorizer: Any, kind: str) -> Vocabulary:
    """A fitted `TfidfVectorizer` as the `Vocabulary` that serves it without scikit-learn."""
    settings = (vectorizer.analyzer, tuple(vectorizer.ngram_range), vectorizer.sublinear_tf)
    if settings != (kind, _SERVABLE[kind], True) or not vectorizer.lowercase:
        raise ValueError(f"engine.tfidf cannot serve a vectoriser with {settings}")
    terms = {str(t): int(j) for t, j in vectorizer.vocabulary_.items()}
    return Vocabulary(kind, terms, vectorizer.idf_.astype(np.float32))


def fit_lexical(sentences: list[str], labels: np.ndarray) -> LexicalModel:
    """Fit the vectorisers and the regression on labelled sentences (deterministic)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    word = TfidfVectorizer(
        ngram_range=(1, 2), min_df=3, max_features=WORD_FEATURES, sublinear_tf=True,
        dtype=np.float32,
    )  # fmt: skip
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=5, max_features=CHAR_FEATURES,
        sublinear_tf=True, dtype=np.float32,
    )  # fmt: skip
    x = hstack([word.fit_transform(sentences), char.fit_transform(sentences)]).tocsr()
    lr = LogisticRegression(C=C, max_iter=2000).fit(x, labels)
    coef = lr.coef_[0].astype(np.float32)
    return LexicalModel(
        _served(word, "word"), _served(char, "char_wb"), coef, float(lr.intercept_[0])
    )

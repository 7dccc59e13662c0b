"""Gradient-boosted trees as flat numpy arrays (fast single-essay prediction, small artifact).

scikit-learn's `HistGradientBoosting*.predict` costs ~4 ms per call for ONE row (input
validation, thread pools); the scorer and the detector make several such calls per essay.
`PackedTrees` copies the fitted trees into a few arrays and walks all trees at once with numpy:
the same predictions (checked against scikit-learn in the tests and at training time, `pack`) in
a fraction of the time, and the artifacts no longer pickle scikit-learn objects, so serving does
not import scikit-learn's tree code.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class PackedTrees:
    """All trees of one fitted HistGradientBoostingRegressor, or binary classifier (numerical
    features only)."""

    def __init__(
        self,
        feature: np.ndarray,
        threshold: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        missing_left: np.ndarray,
        value: np.ndarray,
        roots: np.ndarray,
        depth: int,
        baseline: float,
    ) -> None:
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.right = right
        self.missing_left = missing_left
        self.value = value
        self.roots = roots
        self.depth = depth
        self.baseline = baseline

    @classmethod
    def from_sklearn(cls, model: Any) -> PackedTrees:
        if getattr(model, "is_categorical_", None) is not None:
            raise ValueError("categorical splits are not supported")
        feats, thr, left, right, miss, val, roots = [], [], [], [], [], [], []
        offset, depth = 0, 0
        for (tree,) in model._predictors:  # one tree per iteration (regression, binary)
            nodes = tree.nodes
            n = len(nodes)
            idx = np.arange(n) + offset
            leaf = nodes["is_leaf"].astype(bool)
            # a leaf points to itself, so walking `depth` steps from the root always ends on it
            left.append(np.where(leaf, idx, nodes["left"].astype(np.int64) + offset))
            right.append(np.where(leaf, idx, nodes["right"].astype(np.int64) + offset))
            feats.append(np.where(leaf, 0, nodes["feature_idx"]))
            thr.append(np.where(leaf, 0.0, nodes["num_threshold"]))
            miss.append(nodes["missing_go_to_left"].astype(bool))
            val.append(np.where(leaf, nodes["value"], 0.0))
            roots.append(offset)
            depth = max(depth, int(nodes["depth"].max()))
            offset += n
        return cls(
            np.concatenate(feats).astype(np.int32),
            np.concatenate(thr).astype(np.float64),
            np.concatenate(left).astype(np.int32),
            np.concatenate(right).astype(np.int32),
            np.concatenate(miss),
            np.concatenate(val).astype(np.float64),
            np.array(roots, dtype=np.int32),
            depth,
            float(np.ravel(model._baseline_prediction)[0]),
        )

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        rows = np.arange(len(X))[:, None]
        node = np.broadcast_to(self.roots, (len(X), len(self.roots)))
        for _ in range(self.depth):
            x = X[rows, self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(go_left, self.left[node], self.right[node])
        return np.asarray(self.value[node].sum(axis=1) + self.baseline)

    def probability(self, X: np.ndarray) -> np.ndarray:
        """P(class 1) of a binary classifier: its raw prediction is the log-odds."""
        return np.asarray(1.0 / (1.0 + np.exp(-self.predict(X))))


def pack(model: Any) -> PackedTrees:
    """The fitted trees as arrays, checked to predict exactly as scikit-learn does (a regressor's
    prediction, a binary classifier's log-odds)."""
    trees = PackedTrees.from_sklearn(model)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, model.n_features_in_)) * 3
    X[rng.random(X.shape) < 0.2] = math.nan
    expected = model.decision_function(X) if hasattr(model, "classes_") else model.predict(X)
    if not np.allclose(trees.predict(X), expected, rtol=0, atol=1e-9):
        raise AssertionError("packed trees disagree with scikit-learn")
    return trees

"""Which passage rule finds the most hybrids at the same false-positive budget?

    OMP_NUM_THREADS=2 .venv/bin/python bench/detection_passage_rule.py [--data-dir ../shared/data]

The passage rule labels a text AI/Hybrid below the document threshold when a window of k
consecutive sentences reads as AI. Each variant (window length k; the window's weakest
sentence, or its mean log-odds) gets its own threshold, calibrated exactly as the shipped one:
the lowest at which human essays labelled by either rule stay within the label budget in every
writer group and essay source, on out-of-fold probabilities. Variants are compared on the
train split's OUT-OF-FOLD hybrids (sentence F1 through the engine's gating, share of hybrids
labelled) and AI essays, so the choice is not made on the valid split. Writes
/tmp/detection-passage-rule.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from aaie.engine.detection import train as T

VARIANTS = [(2, "min"), (3, "min"), (2, "mean"), (3, "mean"), (4, "mean")]


def windows(p: np.ndarray, k: int, stat: str) -> np.ndarray:
    """Each k-sentence window's statistic (probability scale)."""
    w = np.lib.stride_tricks.sliding_window_view(np.clip(p, 1e-6, 1 - 1e-6), k)
    if stat == "min":
        return w.min(axis=1)
    return 1 / (1 + np.exp(-np.log(w / (1 - w)).mean(axis=1)))


def passage(p: np.ndarray, k: int, stat: str, t: float) -> np.ndarray:
    out = np.zeros(len(p), dtype=bool)
    if len(p) < k:
        return out
    for start in np.flatnonzero(windows(p, k, stat) >= t):
        out[start : start + k] = True
    return out


def score(p: np.ndarray, k: int, stat: str) -> float:
    return float(windows(p, k, stat).max()) if len(p) >= k else 0.0


def evaluate(items, probs, flagged, enough, sent_t, k, stat) -> dict[str, float]:
    ps = np.array([score(p, k, stat) for p in probs]) * enough
    masks = T._essay_masks(items)
    t = 1.01
    for cand in np.unique(np.round(ps, 4)):
        if (
            max(float((flagged | (ps >= cand))[m].mean()) for m in masks if m.any())
            <= T.LABEL_TARGET_FPR
        ):
            t = float(cand)
            break
    labelled = flagged | (ps >= t)
    hyb = [i for i, it in enumerate(items) if it.doc.label == "hybrid"]
    y, pred = [], []
    for i in hyb:
        ai = (
            passage(probs[i], k, stat, t) | (probs[i] >= sent_t)
            if labelled[i]
            else np.zeros(len(probs[i]), bool)
        )
        y.append(items[i].sent_labels)
        pred.append(ai)
    out = {
        "threshold": round(t, 4),
        "f1_hybrids": round(T.f1_score(np.concatenate(y), np.concatenate(pred)), 4),
    }
    out["hybrids_labelled"] = round(float(labelled[hyb].mean()), 4)
    for gen in sorted({it.doc.generator for it in items if it.doc.label == "ai"}):
        m = np.array(
            [
                it.doc.label == "ai"
                and it.doc.generator == gen
                and not it.doc.meta.get("augmented")
                for it in items
            ]
        )
        out[f"ai_labelled/{gen}"] = round(float(labelled[m].mean()), 4)
    for m, name in zip(masks, [*T.ESSAY_GROUPS, *T.ESSAY_SOURCES], strict=True):
        out[f"human_labelled/{name}"] = round(float(labelled[m].mean()), 4)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/detection-cache"))
    args = ap.parse_args()
    items, synth = T.training_corpus(args.data_dir, args.cache_dir)
    train = [it for it in items if it.doc.split == "train"]
    payload, oof = T.fit_detector(
        train, synth=[s for s in synth if s.doc.split == "train"], cache_dir=args.cache_dir
    )
    probs = oof["sentence_probs"]
    enough = np.array([T._long_enough(it) for it in train])
    flagged = (oof["score"] >= payload["threshold"]) & enough
    results = {
        f"k{k}-{stat}": evaluate(
            train, probs, flagged, enough, payload["sentence_threshold"], k, stat
        )
        for k, stat in VARIANTS
    }
    for name, r in results.items():
        print(name, r, flush=True)
    Path("/tmp/detection-passage-rule.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

"""Rubric scorer quality on the dev data: QWK per prompt and per criterion, band agreement,
held out BY PROMPT and within prompt, beside a length-only baseline; off-topic check.

    OMP_NUM_THREADS=1 .venv/bin/python bench/scoring.py [--per-prompt 2000]

Writes /tmp/scoring-cache/scoring_results.json (docs/benchmarks/scoring.md is written from it).
Features are cached in /tmp/scoring-cache, sentence embeddings in /tmp/rubric-cache/emb.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import platform
import time
from pathlib import Path

import numpy as np

from aaie.engine.rubric import train
from aaie.engine.rubric.features import FEATURE_NAMES
from aaie.engine.rubric.stack import stretch_params

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "score"
CACHE = Path("/tmp/scoring-cache")
EMB_CACHE = Path("/tmp/rubric-cache/emb")  # the default of `aaie train scorer`


def dataset(per_prompt: int) -> train.Dataset:
    path = CACHE / f"dataset_{per_prompt}.pkl"
    records = train.load_records(DATA, per_prompt)
    if path.exists():
        ds: train.Dataset = pickle.loads(path.read_bytes())
        ds.prompt_emb = getattr(ds, "prompt_emb", None)
        if [r["id"] for r in ds.records] == [r["id"] for r in records] and ds.X.shape[1] == len(
            FEATURE_NAMES
        ):
            return ds
    ds = train.build_dataset(records, EMB_CACHE)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(ds))
    return ds


def stretched(
    ds: train.Dataset, target: str, pred: np.ndarray, folds: list[np.ndarray]
) -> np.ndarray:
    """Apply the variance-matching stretch, fitted for each fold on the OTHER folds only
    (used for the baselines; the model uses its own calibration)."""
    gold = ds.target(target)
    out = pred.copy()
    for test in folds:
        mask = np.ones(len(pred), dtype=bool)
        mask[test] = False
        a, b = stretch_params(np.where(mask, pred, math.nan), np.where(mask, gold, math.nan))
        out[test] = a + b * pred[test]
    return out


def off_topic(ds: train.Dataset) -> dict[str, float]:
    """Score ASAP essays against the NEXT prompt's text with the shipped model."""
    from aaie.engine.analysis import TextAnalysis
    from aaie.engine.rubric.builtin import score_builtin

    prompts = {r["prompt_id"]: r["prompt"] for r in ds.records if r["prompt_id"].startswith("asap")}
    ids = sorted(prompts)
    rng = np.random.default_rng(0)
    asap = [r for r in ds.records if r["prompt_id"].startswith("asap")]
    chosen = [asap[i] for i in rng.choice(len(asap), size=min(240, len(asap)), replace=False)]
    own, other = [], []
    for r in chosen:
        a = TextAnalysis(r["text"])
        f = EMB_CACHE / (train._hash(r["id"])[:16] + ".npy")
        if f.exists():
            a.__dict__["sentence_embeddings"] = np.load(f).astype(np.float32)
        wrong = prompts[ids[(ids.index(r["prompt_id"]) + 1) % len(ids)]]
        own.append(score_builtin(a, r["prompt"], None).criterion("Relevance"))
        other.append(score_builtin(a, wrong, None).criterion("Relevance"))
    return {
        "n": len(chosen),
        "own_excellent": float(np.mean([c.label == "Excellent" for c in own])),
        "own_mean": float(np.mean([c.score for c in own])),
        "other_excellent": float(np.mean([c.label == "Excellent" for c in other])),
        "other_good_or_better": float(np.mean([c.label in ("Excellent", "Good") for c in other])),
        "other_mean": float(np.mean([c.score for c in other])),
    }


def on_topic_by_prompt(ds: train.Dataset) -> dict[str, dict[str, float]]:
    """Leave-one-prompt-out check of the on-topic model that caps Relevance."""
    from sklearn.metrics import roc_auc_score

    from aaie.engine.rubric.model import P_LOW

    out = {}
    for test in train.folds_by_prompt(ds.records):
        pid = ds.records[test[0]]["prompt_id"]
        if not pid.startswith("asap"):
            continue
        model = train.fit_on_topic(ds, np.setdiff1d(np.arange(len(ds.records)), test))
        X, y = train.on_topic_pairs(ds, test)
        p = train.on_topic_probability(model, X)
        out[pid] = {
            "auroc": float(roc_auc_score(y, p)),
            "own_capped_fair": float(np.mean(p[y == 1] <= P_LOW)),
            "other_uncapped": float(np.mean(p[y == 0] >= 0.5)),
        }
        print("on-topic", pid, out[pid], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-prompt", type=int, default=train.ALL_ESSAYS)
    ap.add_argument("--off-topic-only", action="store_true", help="re-run the shipped-model check")
    args = ap.parse_args()
    if args.off_topic_only:
        results = json.loads((CACHE / "scoring_results.json").read_text())
        results["off_topic"] = off_topic(dataset(args.per_prompt))
        print("off-topic", results["off_topic"])
        (CACHE / "scoring_results.json").write_text(json.dumps(results, indent=1))
        return
    t0 = time.time()
    ds = dataset(args.per_prompt)
    t_feat = time.time() - t0
    # Baseline: length plus which prompt it is (the prompt-embedding PCA columns, last in the
    # design), so it can learn each prompt's expected length, as a per-prompt length model would.
    from aaie.engine.rubric.features import EMBED_DIMS, PROMPT_DIMS

    n_cols = len(FEATURE_NAMES) + EMBED_DIMS + PROMPT_DIMS
    length_col = [FEATURE_NAMES.index("log_words"), *range(n_cols - PROMPT_DIMS, n_cols)]
    # Prompt-agnostic baseline: log word count alone.
    words_col = [FEATURE_NAMES.index("log_words")]
    results: dict = {"n_essays": len(ds.records), "feature_s": round(t_feat, 1), "splits": {}}
    for split, folds in (
        ("by_prompt", train.folds_by_prompt(ds.records)),
        ("within_prompt", train.folds_within_prompt(ds.records)),
    ):
        res = {}
        for target in train.TARGETS:
            full = train.out_of_fold(ds, target, folds)
            base = train.out_of_fold(ds, target, folds, columns=length_col)
            words = train.out_of_fold(ds, target, folds, columns=words_col)
            calibrated = train.calibrated_out_of_fold(ds, target, folds, full)
            res[target] = {
                "model": train.evaluate(ds, target, calibrated),
                "model_stretch_only": train.evaluate(
                    ds, target, stretched(ds, target, full, folds)
                ),
                "length_only": train.evaluate(ds, target, stretched(ds, target, base, folds)),
                "words_only": train.evaluate(ds, target, stretched(ds, target, words, folds)),
            }
            m, b = res[target]["model"], res[target]["length_only"]
            print(
                f"{split:14s} {target:16s} QWK {m['qwk_mean']:.3f} (len {b['qwk_mean']:.3f}) "
                f"band {m['band_agreement']:.3f} (len {b['band_agreement']:.3f})",
                flush=True,
            )
        results["splits"][split] = res
    results["on_topic_by_prompt"] = on_topic_by_prompt(ds)
    results["off_topic"] = off_topic(ds)
    print("off-topic", results["off_topic"])
    results["machine"] = f"{platform.machine()} {platform.python_version()}"
    results["elapsed_s"] = round(time.time() - t0, 1)
    (CACHE / "scoring_results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

"""Why a new prompt scores ~0.49 QWK, and what a few teacher-graded essays would buy.

    OMP_NUM_THREADS=1 .venv/bin/python bench/scoring_new_prompt.py [--reps 20] [--target overall]

Held out BY PROMPT (each ASAP prompt a fold, ELLIPSE in two halves), a gradient-boosting model
on the fallback model's design columns (essay features, essay-embedding PCA, prompt-embedding
PCA; no group features, as for any prompt the scorer has not seen) predicts the overall score.
Per prompt it reports the rank correlation with the human scores, and QWK under three
calibrations of the same predictions:
- the shipped one for new prompts: one variance-matching stretch fitted on the other prompts;
- an oracle: each prompt's own mean and spread (not available in use; the ceiling of any
  level/spread fix);
- a teacher grades k essays of the new prompt: a linear map fitted on those k (its slope shrunk
  toward 1 by k / (k + 10): `rubric.calibration.fit_linear_map`, what the service fits on an
  assignment's teacher grades), tested on the prompt's other essays, averaged over --reps draws.
Features come from bench/scoring.py's cache.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from scoring import dataset, stretched

from aaie.engine.rubric import train
from aaie.engine.rubric.calibration import fit_linear_map
from aaie.engine.rubric.features import EMBED_DIMS, FEATURE_NAMES, PROMPT_DIMS


def prompt_rows(ds: train.Dataset, gold: np.ndarray) -> dict[str, np.ndarray]:
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(ds.records):
        if not math.isnan(gold[i]):
            groups.setdefault(train.group_key(r), []).append(i)
    return {g: np.array(rows) for g, rows in sorted(groups.items())}


def oracle(pred: np.ndarray, gold: np.ndarray, groups: dict[str, np.ndarray]) -> np.ndarray:
    out = pred.copy()
    for rows in groups.values():
        p, y = pred[rows], gold[rows]
        out[rows] = (p - p.mean()) / (p.std() + 1e-9) * y.std() + y.mean()
    return out


def teacher_graded(
    base: np.ndarray, gold: np.ndarray, groups: dict[str, np.ndarray], k: int, rng: Any
) -> np.ndarray:
    """Each prompt recalibrated on k of its essays; those k are left out of the result."""
    out = np.full(len(base), math.nan)
    for rows in groups.values():
        graded = rng.choice(rows, size=k, replace=False)
        line = fit_linear_map(base[graded], gold[graded])  # what the engine fits
        rest = np.setdiff1d(rows, graded)
        out[rest] = [line(b) for b in base[rest]]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--target", default="overall", choices=train.TARGETS)
    args = ap.parse_args()
    target = args.target
    ds = dataset(train.ALL_ESSAYS)
    folds = train.folds_by_prompt(ds.records)
    columns = list(range(len(FEATURE_NAMES) + EMBED_DIMS + PROMPT_DIMS))
    pred = train.out_of_fold(ds, target, folds, columns)
    gold = ds.target(target)
    groups = prompt_rows(ds, gold)
    shipped = stretched(ds, target, pred, folds)
    e_ship = train.evaluate(ds, target, shipped)
    e_oracle = train.evaluate(ds, target, oracle(pred, gold, groups))
    print("| prompt | rank correlation | QWK, shipped stretch | QWK, oracle level + spread |")
    print("| --- | --- | --- | --- |")
    for g, rows in groups.items():
        rho = spearmanr(pred[rows], gold[rows])[0]
        print(
            f"| {g} | {rho:.3f} | {e_ship['qwk_per_prompt'][g]:.3f} "
            f"| {e_oracle['qwk_per_prompt'][g]:.3f} |"
        )
    print(f"| **mean** | | **{e_ship['qwk_mean']:.3f}** | **{e_oracle['qwk_mean']:.3f}** |")
    rng = np.random.default_rng(0)
    for k in (5, 10, 20):
        qwks = [
            train.evaluate(ds, target, teacher_graded(shipped, gold, groups, k, rng))["qwk_mean"]
            for _ in range(args.reps)
        ]
        print(f"teacher grades {k} essays per prompt: QWK {np.mean(qwks):.3f} ± {np.std(qwks):.3f}")


if __name__ == "__main__":
    main()

"""Scorer design experiments on cached features (for choosing; not the before/after figures).

    OMP_NUM_THREADS=1 .venv/bin/python bench/scoring_experiments.py --per-prompt 2000 \
        --variants v4like,full,-lang,-stack,+noblend [--folds 0,1,2 | --by-prompt]

Decisions are made on the within-prompt folds 0-2 only; folds 3-4 stay untouched for the final
before/after comparison (bench/scoring_untouched.py), so the reported figures are not tuned on.
`--by-prompt` holds out whole prompts instead (each ASAP prompt, ELLIPSE in two halves): the
quality a teacher's own new prompt gets, from the fallback model.
Variants: v4like (no learner-error features, own-target ridge only, no bag-of-words ridge,
trees only), full (the shipped design), full minus one part (-lang, -stack, -lex: no per-group
bag-of-words ridge), full plus options (+lexb0 / +lexb2: the bag-of-words ridge as a feature
only / blended at 0.2 instead of 0.1; +lexa3: its ridge penalty 3 instead of 1; +lexword /
+lexchar: word n-grams / character n-grams only; +max: max-pooled
sentence embeddings in the ridge; +ridgecv: leave-one-out ridge penalty; +chain: criterion
models also see the overall model's out-of-fold prediction; +big, +slow, +deep: 500
iterations, 500 at half the learning rate, 31 leaves; +noblend / +blend4: known-prompt
prediction from the trees alone / with 0.4 instead of 0.2 of the group ridge). Parts are
switched off by neutralising columns (constant columns are never split on), so one feature
matrix serves all.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import CACHE, dataset

from aaie.engine.rubric import lexical, train
from aaie.engine.rubric.features import FEATURE_NAMES, LANGUAGE_ERRORS


def run_variant(
    ds: train.Dataset, name: str, folds: list[np.ndarray], test_folds: list[int]
) -> dict[str, dict]:
    X0 = ds.X.copy()
    off = {"lang", "stack", "max"} if name == "v4like" else {name[1:]} if name[0] == "-" else set()
    on = set(name[1:].split("+")) if name[0] == "+" else set()
    train.STACK_OTHER_TARGETS = "stack" not in off
    train.RIDGE_MAXPOOL = "max" not in off and "max" in on
    train.RIDGE_ALPHA_FACTORS = (0.1, 0.3, 1.0, 3.0, 10.0) if "ridgecv" in on else (1.0,)
    if "lang" in off:
        ds.X[:, [FEATURE_NAMES.index(n) for n in LANGUAGE_ERRORS]] = 0.0
    train.CHAIN_OVERALL = "chain" in on
    hgb = dict(train.HGB_PARAMS)
    kinds_shipped = lexical.KINDS
    train.BLEND_RIDGE = (
        0.0 if "noblend" in on or name == "v4like" else 0.4 if "blend4" in on else 0.2
    )
    no_lexical = "lex" in off or name == "v4like"
    train.LEXICAL_ALPHA = None if no_lexical else 3.0 if "lexa3" in on else 1.0
    train.BLEND_LEXICAL = 0.0 if "lexb0" in on else 0.2 if "lexb2" in on else 0.1
    kinds = ("word",) if "lexword" in on else ("char_wb",) if "lexchar" in on else None
    lexical.KINDS = kinds or lexical.KINDS
    if "big" in on:
        train.HGB_PARAMS.update(max_iter=500)
    if "slow" in on:
        train.HGB_PARAMS.update(max_iter=500, learning_rate=0.025)
    if "deep" in on:
        train.HGB_PARAMS.update(max_leaf_nodes=31, min_samples_leaf=20)
    out = {}
    try:
        everything = np.arange(len(ds.records))
        for target in train.TARGETS:
            pred = np.full(len(ds.records), math.nan)
            for k in test_folds:
                fit = train.fit_stacked(ds, target, np.setdiff1d(everything, folds[k]))
                pred[folds[k]] = train.predict_stacked(fit, ds, folds[k])
            cal = train.calibrated_out_of_fold(ds, target, [folds[k] for k in test_folds], pred)
            out[target] = train.evaluate(ds, target, cal)
            out[target]["raw"] = train.evaluate(ds, target, pred)
    finally:
        ds.X[:] = X0
        train.STACK_OTHER_TARGETS = True
        train.RIDGE_MAXPOOL = False
        train.RIDGE_ALPHA_FACTORS = (1.0,)
        train.CHAIN_OVERALL = False
        train.BLEND_RIDGE = 0.2
        train.LEXICAL_ALPHA = 1.0
        train.BLEND_LEXICAL = 0.1
        lexical.KINDS = kinds_shipped
        train.HGB_PARAMS.clear()
        train.HGB_PARAMS.update(hgb)
        # Fits are keyed by the switches that change them; feature or tree-setting changes
        # are not, so those variants must not leave fits behind.
        if "lang" in off or on & {"big", "slow", "deep"}:
            for memo in ("_group_blocks", "_fits", "_chains"):
                ds.__dict__.pop(memo, None)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-prompt", type=int, default=2000)
    ap.add_argument("--variants", default="v4like,full,-lang,-stack,-max")
    ap.add_argument("--folds", default="0,1,2")
    ap.add_argument(
        "--by-prompt", action="store_true", help="hold out whole prompts (new-prompt quality)"
    )
    ap.add_argument("--eval-ids", default="", help="JSON list of ids: score only these rows")
    args = ap.parse_args()
    ds = dataset(args.per_prompt)
    folds = (train.folds_by_prompt if args.by_prompt else train.folds_within_prompt)(ds.records)
    if args.eval_ids:
        keep = set(json.loads(Path(args.eval_ids).read_text()))
        folds = [np.array([i for i in f if ds.records[i]["id"] in keep]) for f in folds]
    test_folds = (
        list(range(len(folds))) if args.by_prompt else [int(k) for k in args.folds.split(",")]
    )
    results = {}
    for name in args.variants.split(","):
        t0 = time.time()
        res = run_variant(ds, name, folds, test_folds)
        results[name] = res
        print(
            f"{name:10s} "
            + " ".join(
                f"{t[:6]} {r['qwk_mean']:.3f}/{r['qwk_per_prompt'].get('ellipse', math.nan):.2f}"
                for t, r in res.items()
            )
            + f" band {res['overall']['band_agreement']:.3f} ({time.time() - t0:.0f}s)",
            flush=True,
        )
    tag = f"exp_{args.per_prompt}_{'by_prompt' if args.by_prompt else args.folds.replace(',', '')}"
    (CACHE / f"{tag}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

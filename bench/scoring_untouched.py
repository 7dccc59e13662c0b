"""Before/after on the untouched within-prompt folds 3 and 4 (never looked at while choosing the
v5 design, which used folds 0-2 only; see bench/scoring_experiments.py).

    OMP_NUM_THREADS=1 .venv/bin/python bench/scoring_untouched.py v5_all 2000 words
    git archive <v4 commit> src | tar -x -C /tmp/v4src && OMP_NUM_THREADS=1 \\
        PYTHONPATH=/tmp/v4src/src .venv/bin/python bench/scoring_untouched.py v4_700 700

Fits on every essay outside the test fold that lies in the training pool (`per_prompt` essays
per ASAP prompt, as that version was trained), predicts folds 3 and 4 (all 4,358 essays of those
folds), and calibrates each fold with the other (identical for both versions). With a third
argument, also the prompt-agnostic length-only baseline (log word count, variance-matching
stretch). "sub700" restricts the scores to the essays of the 700-per-prompt sample.
Writes /tmp/scoring-cache/untouched_<tag>.json.
"""

from __future__ import annotations

import json
import math
import pickle
import sys
from pathlib import Path

import numpy as np

from aaie.engine.rubric import train
from aaie.engine.rubric.stack import stretch_params

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "score"
EMB = Path("/tmp/rubric-cache/emb")
CACHE = Path("/tmp/scoring-cache")


def main() -> None:
    tag, per_prompt = sys.argv[1], int(sys.argv[2])
    cache = CACHE / f"untouched_ds_{tag}.pkl"
    records = train.load_records(DATA, 2000)
    if cache.exists():
        ds = pickle.loads(cache.read_bytes())
    else:
        ds = train.build_dataset(records, EMB)
        cache.write_bytes(pickle.dumps(ds))
    pool = {r["id"] for r in train.load_records(DATA, per_prompt)}
    sub700 = {r["id"] for r in train.load_records(DATA, 700)}
    folds = train.folds_within_prompt(ds.records)
    test_folds = [folds[3], folds[4]]
    in_pool = np.array([r["id"] in pool for r in ds.records])
    in_sub = np.array([r["id"] in sub700 for r in ds.records])
    everything = np.arange(len(ds.records))
    variants: list[tuple[str, list[int] | None]] = [("model", None)]
    if len(sys.argv) > 3:
        variants.append(("words_only", [train.FEATURE_NAMES.index("log_words")]))
    out: dict[str, dict] = {}
    for name, cols in variants:
        for target in train.TARGETS:
            pred = np.full(len(ds.records), math.nan)
            for test in test_folds:
                pred[test] = train.fit_predict(
                    ds, target, np.setdiff1d(everything[in_pool], test), test, cols
                )
            if cols is None:
                cal = train.calibrated_out_of_fold(ds, target, test_folds, pred)
            else:
                gold, cal = ds.target(target), pred.copy()
                for t, o in ((test_folds[0], test_folds[1]), (test_folds[1], test_folds[0])):
                    a, b = stretch_params(pred[o], gold[o])
                    cal[t] = a + b * pred[t]
            res = {
                "all": train.evaluate(ds, target, cal),
                "sub700": train.evaluate(ds, target, np.where(in_sub, cal, math.nan)),
            }
            out.setdefault(name, {})[target] = res
            print(
                tag,
                name,
                target,
                *(
                    f"{k} {v['qwk_mean']:.3f} band {v['band_agreement']:.3f}"
                    for k, v in res.items()
                ),
                flush=True,
            )
    (CACHE / f"untouched_{tag}.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""Essays scored WITHOUT their prompt: the fallback model, or the prompt recognised from the essay.

    OMP_NUM_THREADS=1 .venv/bin/python bench/scoring_no_prompt.py    # ~12 min with cached features

Within prompt (5 folds), every test essay is scored three ways by the same fits:
- with its prompt (as served when the prompt is given; `stack.match_group` on the prompt);
- without a prompt, as before 2026-12-06: the fallback model and the global stretch;
- without a prompt, recognised: the group of the nearest training prompt by the essays'
  centroid (`stack.recognise_group`, fitted on the training folds only), the group model with
  the prompt features missing, and that group's calibration; unrecognised essays as above
  (`train.predict_stacked(..., recognised=...)`, as `model.predict` serves it).
It also reports how often essays are recognised, into which group, and how often texts that
answer none of the training prompts (Fast-DetectGPT's human news, fiction and PubMed texts, and
OUTFOX's student essays, whose persuasive prompts overlap ELLIPSE's titles) are.
Features come from bench/scoring.py's cache.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scoring import dataset

from aaie.engine.analysis import TextAnalysis
from aaie.engine.rubric import train
from aaie.engine.rubric.stack import RECOGNISE_MIN, recognise_group

DETECT = Path(__file__).resolve().parents[2] / "shared" / "data" / "detect"
TARGETS = ("overall", "Structure", "Clarity", "AcademicWriting")


def recognised_out_of_fold(ds: train.Dataset, folds: list[np.ndarray]) -> list[str | None]:
    """Each essay's recognised group, from centroids of the other folds' essays only."""
    every = np.arange(len(ds.records))
    groups: list[str | None] = [None] * len(every)
    for test in folds:
        recognition = train.fit_prompt_recognition(ds, np.setdiff1d(every, test))
        for i in test:
            found = recognise_group(recognition, ds.doc_emb[i])
            groups[i] = found[0] if found else None
    return groups


def recognition_rates(ds: train.Dataset, groups: list[str | None]) -> None:
    own = [train.group_key(r) for r in ds.records]
    is_ell = np.array([k == "ellipse" for k in own])
    found = np.array([g is not None for g in groups])
    right = np.array([g == k for g, k in zip(groups, own, strict=True)])
    print(f"\nRecognised at cosine >= {RECOGNISE_MIN} (out of fold):\n")
    print("| texts | n | recognised | of those, into their own group |\n| --- | --- | --- | --- |")
    for name, m in (("ASAP essays", ~is_ell), ("ELLIPSE essays", is_ell)):
        print(f"| {name} | {m.sum()} | {found[m].mean():.1%} | {right[m & found].mean():.1%} |")
    recognition = train.fit_prompt_recognition(ds, np.arange(len(ds.records)))
    rng = np.random.default_rng(0)
    for name, path, label in (
        ("Fast-DetectGPT human texts", "fastdetectgpt_dev.jsonl", "human"),
        ("OUTFOX student essays", "outfox_dev.jsonl", "human"),
    ):
        rows = [json.loads(line) for line in (DETECT / path).open(encoding="utf-8")]
        texts = [r["text"] for r in rows if r.get("label") == label]
        sample = [
            texts[i] for i in rng.choice(len(texts), size=min(200, len(texts)), replace=False)
        ]
        hits = [recognise_group(recognition, TextAnalysis(t).document_embedding) for t in sample]
        share = np.mean([h is not None for h in hits])
        print(
            f"| {name} (no training prompt; shipped centroids) | {len(sample)} | {share:.1%} | – |"
        )


def main() -> None:
    ds = dataset(train.ALL_ESSAYS)
    folds = train.folds_within_prompt(ds.records)
    every = np.arange(len(ds.records))
    groups = recognised_out_of_fold(ds, folds)
    none: list[str | None] = [None] * len(every)
    print("| target | with its prompt | no prompt: fallback | no prompt: recognised |")
    print("| --- | --- | --- | --- |")
    ellipse_rows = []
    for target in TARGETS:
        served, fallback, recognised = (np.full(len(every), math.nan) for _ in range(3))
        for test in folds:
            fit = train.fit_stacked(ds, target, np.setdiff1d(every, test))
            served[test] = train.predict_stacked(fit, ds, test)
            fallback[test] = train.predict_stacked(fit, ds, test, recognised=none[: len(test)])
            recognised[test] = train.predict_stacked(
                fit, ds, test, recognised=[groups[i] for i in test]
            )
        preds = {
            "served": train.calibrated_out_of_fold(ds, target, folds, served),
            "fallback": train.calibrated_out_of_fold(ds, target, folds, fallback, served, none),
            "recognised": train.calibrated_out_of_fold(
                ds, target, folds, recognised, served, groups
            ),
        }
        e = {k: train.evaluate(ds, target, v) for k, v in preds.items()}
        print(
            f"| {target} | " + " | ".join(f"{e[k]['qwk_mean']:.3f}" for k in e) + " |", flush=True
        )
        ellipse_rows.append(
            f"| {target} | "
            + " | ".join(f"{e[k]['qwk_per_prompt']['ellipse']:.3f}" for k in e)
            + " |"
        )
    print("\nELLIPSE alone:\n")
    print("| target | with its prompt | no prompt: fallback | no prompt: recognised |")
    print("| --- | --- | --- | --- |\n" + "\n".join(ellipse_rows))
    recognition_rates(ds, groups)


if __name__ == "__main__":
    main()

"""Custom rubric criteria scored by the built-in engine, against human trait scores.

Run: .venv/bin/python bench/custom_criteria.py [--n 150]

Each trait below is given to `rubric_score` as a teacher's custom criterion: its name, a
description and band descriptors taken from the trait's rubric text (ASAP's own rubric sheets
in asap_prompts.jsonl; ELLIPSE has no rubric text in the data, so its traits get one-line
descriptions written here from the trait names). Predicted 0-1 scores are put on the trait's
scale (rounded) and compared with the human trait score by QWK, and by Spearman correlation.

Traits the scorer was never trained on: ASAP P7 "Style" and P8 "Voice". The others were parts
of a trained target (averaged into it): they show how the blend recovers a sub-trait.
Caveat: the essays were in the scorer's training data (its base criteria are fitted on them),
so absolute figures are optimistic; the comparison between methods on the same essays is fair.

Methods compared, per trait:
- blend: the engine's custom-criterion score (the shipped method);
- single: the base criterion with most weight alone (what the v6 mapping did, when it found one);
- overall: the holistic overall score for every trait (a baseline: "one number for all").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from aaie.engine.rubric import rubric_score
from aaie.engine.rubric.mapping import map_criterion
from aaie.engine.rubric.types import RubricCriterionSpec

DATA = (
    Path(
        os.environ.get(
            "AAIE_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
        )
    )
    / "score"
)

# ASAP traits: (prompt, trait key in `scores`, name shown to the teacher, rubric section title)
ASAP_TRAITS = [
    ("asap-7", "style", "Style", "Style"),
    ("asap-8", "voice", "Voice", "Voice"),
    ("asap-7", "content", "Ideas", "Ideas"),
    ("asap-8", "word_choice", "Word Choice", "Word Choice"),
    ("asap-8", "sentence_fluency", "Sentence Fluency", "Sentence Fluency"),
    ("asap-7", "conventions", "Conventions", "Conventions"),
]
ELLIPSE_TRAITS = {
    "Cohesion": "Text organisation: ideas linked with a variety of cohesive devices and "
    "connected paragraphs.",
    "Syntax": "Sentence structure: a range of accurate, varied and complex sentence forms.",
    "Vocabulary": "Range and precision of words: topic-specific, varied and accurate word use.",
    "Phraseology": "Natural phrasing: idioms, collocations and lexical bundles used as a "
    "proficient writer would.",
    "Grammar": "Grammatical accuracy: verb forms, agreement, articles and word order.",
    "Conventions": "Spelling, capitalisation and punctuation.",
}
BANDS = ("Excellent", "Good", "Fair", "Poor")


def section(rubric: str, title: str, titles: list[str]) -> str:
    start = rubric.index(f"\n{title}")
    ends = [rubric.find(f"\n{t}\n", start + 1) for t in titles if t != title]
    ends = [e for e in ends if e > start]
    return rubric[start : min(ends) if ends else len(rubric)]


def asap_criterion(prompt: dict, title: str) -> RubricCriterionSpec:
    rubric = prompt["rubric_guidelines"]
    titles = [t for *_, t in ASAP_TRAITS if t in rubric] + ["Organization", "Ideas and Content"]
    text = section(rubric, title, titles)
    levels = re.findall(r"Score \d+: ([^\n]+)", text)
    first = [re.split(r"(?<=\.)\s", lv)[0] for lv in levels]
    picks = [first[0], first[len(first) // 3], first[2 * len(first) // 3], first[-1]]
    return RubricCriterionSpec(
        name=title, description=first[0], bands=dict(zip(BANDS, picks, strict=True))
    )


def sample(rows: list[dict], n: int) -> list[dict]:
    return sorted(rows, key=lambda r: hashlib.sha1(r["id"].encode()).hexdigest())[:n]


def to_scale(score: float, lo: float, hi: float, step: float) -> float:
    return lo + round(score * (hi - lo) / step) * step


def evaluate(
    essays: list[dict], traits: list[tuple[str, RubricCriterionSpec]], prompt: str | None
) -> list[dict]:
    """Score every essay once with all traits as one custom rubric; per-trait figures."""
    spec = {"criteria": [c.model_dump() for _, c in traits]}
    preds: dict[str, dict[str, list[float]]] = {
        k: {"blend": [], "single": [], "overall": []} for k, _ in traits
    }
    gold: dict[str, list[float]] = {k: [] for k, _ in traits}
    mappings = {k: map_criterion(c) for k, c in traits}
    for e in essays:
        custom = rubric_score(e["text"], prompt, spec)
        base = rubric_score(e["text"], prompt)
        base_scores = {c.name: c.score for c in base.criteria}
        for key, crit in traits:
            result = custom.criterion(crit.name)
            m = mappings[key]
            if result is None or result.score is None or m.maps_to is None:
                continue
            preds[key]["blend"].append(result.score)
            preds[key]["single"].append(float(base_scores[m.maps_to] or 0))
            preds[key]["overall"].append(float(base.overall_score or 0))
            gold[key].append(float(e["scores"][key]))
    rows = []
    for key, crit in traits:
        if not gold[key]:
            rows.append({"trait": crit.name, "n": 0, "mapping": mappings[key].reason})
            continue
        lo, hi = essays[0]["score_ranges"][key]
        step = 0.5 if any(g % 1 for g in gold[key]) else 1.0
        g = np.array(gold[key])
        row = {"trait": crit.name, "n": len(g), "weights": mappings[key].weights}
        for method, p in preds[key].items():
            scaled = [to_scale(x, lo, hi, step) for x in p]
            row[method] = {
                "qwk": cohen_kappa_score(
                    (g / step).astype(int),
                    (np.array(scaled) / step).astype(int),
                    weights="quadratic",
                ),
                "spearman": float(spearmanr(p, g).statistic),
            }
        rows.append(row)
    return rows


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=150, help="essays per prompt (hash sample)")
    args = ap.parse_args()
    t0 = time.time()
    prompts = {p["prompt_id"]: p for p in read_jsonl(DATA / "asap_prompts.jsonl")}
    asap = read_jsonl(DATA / "asap_dev.jsonl")
    out = []
    for pid in ("asap-7", "asap-8"):
        traits = [(k, asap_criterion(prompts[pid], t)) for p, k, _, t in ASAP_TRAITS if p == pid]
        essays = sample([e for e in asap if e["prompt_id"] == pid], args.n)
        out += [{"set": pid, **r} for r in evaluate(essays, traits, essays[0]["prompt"])]
    ellipse = read_jsonl(DATA / "ellipse_dev.jsonl")
    traits = [(k, RubricCriterionSpec(name=k, description=d)) for k, d in ELLIPSE_TRAITS.items()]
    out += [{"set": "ellipse", **r} for r in evaluate(sample(ellipse, args.n), traits, None)]
    print(f"# custom criteria  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  "
          f"{platform.machine()}  n={args.n}/set  {time.time() - t0:.0f} s")  # fmt: skip
    print("| set | trait | n | blend QWK | single QWK | overall QWK | blend rho | weights |")
    print("|---|---|---|---|---|---|---|---|")
    for r in out:
        if not r["n"]:
            print(f"| {r['set']} | {r['trait']} | 0 | not scorable: {r['mapping']} |")
            continue
        w = ", ".join(f"{b} {x:.2f}" for b, x in r["weights"].items())
        print(
            f"| {r['set']} | {r['trait']} | {r['n']} | {r['blend']['qwk']:.3f} | "
            f"{r['single']['qwk']:.3f} | {r['overall']['qwk']:.3f} | "
            f"{r['blend']['spearman']:.3f} | {w} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

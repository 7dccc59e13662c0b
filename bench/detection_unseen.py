"""The shipped detector on DEV texts it never trained on (seeded samples of what the training
sample left out), through the engine's own `classify`, as the API runs it.

    OMP_NUM_THREADS=2 .venv/bin/python bench/detection_unseen.py [--data-dir D] [--n 20]

Unseen TEXTS of seen sources (not unseen sources: bench/detection_loso.py measures those):
- human: Feedback Prize 2021 essays outside the training sample (US students, grades 6-12) and
  BiScope Yelp reviews outside it;
- AI: BiScope texts (arXiv abstracts, stories, reviews, essays; five generators, plain and
  self-paraphrased) and L2R rewrites outside the training sample, `--n` per cell;
- spliced essays: an unseen Feedback Prize essay with an unseen BiScope AI essay's sentences in
  place of a block of its own (20-60 %), char-level F1 of the AI sentences;
- polished documents: an L2R human text with scattered sentences replaced by its LLM rewrite's
  sentence at the same relative position (the L2R human texts were in training; the rewrites
  used are not), char-level F1.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from aaie.engine.detection import classify
from aaie.engine.detection import data as D
from aaie.engine.text import clean_persuade, split_sentences

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detection_loso import char_f1_of

SEED = 41


def _rows(data_dir: Path, name: str) -> list[dict[str, Any]]:
    return D._read_gz(data_dir / "detect" / name)


def _unseen(rows: list[dict[str, Any]], trained: set[str]) -> list[dict[str, Any]]:
    return [r for r in rows if str(r["id"]) not in trained]


def char_f1(pairs: list[tuple[str, list[tuple[int, int]], Any]]) -> dict[str, float]:
    """Character-level F1 of the sentences `classify` marked AI against the spliced ranges."""
    return char_f1_of(
        [
            (len(t), spans, [(s.start, s.end) for s in r.sentences if s.is_ai])
            for t, spans, r in pairs
        ]
    )


def summary(cases: list[tuple[str, list[tuple[int, int]], Any]]) -> dict[str, Any]:
    labelled = float(np.mean([r.label != "Human" for *_, r in cases]))
    return {
        "n": len(cases),
        **char_f1(cases),
        "f1_95ci": f1_interval(cases),
        "labelled": round(labelled, 3),
    }


def f1_interval(
    cases: list[tuple[str, list[tuple[int, int]], Any]], rounds: int = 1000
) -> list[float]:
    """95 % bootstrap interval of the char F1 over texts: 180 spliced essays put it about
    +/- 0.03 wide, so a change smaller than that is not shown by one sample."""
    rng = np.random.default_rng(SEED)
    f1s = [
        char_f1([cases[i] for i in rng.integers(0, len(cases), len(cases))])["f1"]
        for _ in range(rounds)
    ]
    return [round(float(q), 3) for q in np.percentile(f1s, [2.5, 97.5])]


def splice(human: str, ai: str, rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """A block of the human text's sentences replaced by the AI text's (20-60 % of sentences)."""
    h = [s.text for s in split_sentences(human)]
    a = [s.text for s in split_sentences(ai)]
    n = max(2, round(len(h) * rng.uniform(0.2, 0.6)))
    start = rng.randrange(0, max(1, len(h) - n + 1))
    parts = [(t, False) for t in h[:start]] + [(t, True) for t in a[:n]]
    parts += [(t, False) for t in h[start + n :]]
    return _render(parts)


def polish(human: str, rewrite: str, rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """Scattered sentences (20-60 %) replaced by the rewrite's sentence at the same position."""
    h = [s.text for s in split_sentences(human)]
    a = [s.text for s in split_sentences(rewrite)]
    share = rng.uniform(0.2, 0.6)
    parts = [
        (a[min(len(a) - 1, round(i * len(a) / len(h)))], True) if rng.random() < share
        else (t, False)
        for i, t in enumerate(h)
    ]  # fmt: skip
    return _render(parts)


def _render(parts: list[tuple[str, bool]]) -> tuple[str, list[tuple[int, int]]]:
    text, spans = "", []
    for t, is_ai in parts:
        if text:
            text += " "
        if is_ai:
            spans.append((len(text), len(text) + len(t)))
        text += t
    return text, spans


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--n", type=int, default=20, help="texts per cell")
    ap.add_argument("--out", type=Path, default=Path("/tmp/detection-unseen.json"))
    ap.add_argument("--threshold", type=float, default=None,
                    help="an experiment: this AI-score threshold, not the shipped one")  # fmt: skip
    args = ap.parse_args()
    if args.threshold is not None:
        from aaie.engine.detection.model import load_detector

        load_detector().threshold = args.threshold
    rng = random.Random(SEED)
    t0 = time.time()
    trained = {d.id for d in D.load_new_sources(args.data_dir)}
    fp = _unseen(_rows(args.data_dir, "fp2021_human.jsonl.gz"), trained)
    bs = _unseen(_rows(args.data_dir, "biscope.jsonl.gz"), trained)
    l2r_all = _rows(args.data_dir, "l2r.jsonl.gz")
    l2r = _unseen(l2r_all, trained)

    groups: dict[str, list[str]] = defaultdict(list)
    for r in rng.sample(fp, 5 * args.n):
        groups["human/fp2021 essays (US students)"].append(clean_persuade(r["text"]))
    yelp = [r for r in bs if r["label"] == "human"]
    for r in rng.sample(yelp, min(len(yelp), 3 * args.n)):
        groups["human/biscope Yelp reviews"].append(r["text"])
    cells: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in bs:
        if r["label"] == "ai":
            para = " (paraphrased)" if r["meta"].get("paraphrased") else ""
            cells[f"ai/biscope {r['meta']['domain']} {r['generator']}{para}"].append(r)
    for r in l2r:
        if r["label"] == "ai":
            cells[f"ai/l2r {r['generator']}"].append(r)
    for key in sorted(cells):
        for r in rng.sample(cells[key], min(args.n, len(cells[key]))):
            groups[key].append(r["text"])

    out: dict[str, Any] = {"labelled_ai_or_hybrid": {}}
    for key in sorted(groups):
        labels = [classify(t).label for t in groups[key]]
        out["labelled_ai_or_hybrid"][key] = {
            "n": len(labels),
            "rate": round(float(np.mean([x != "Human" for x in labels])), 3),
        }
    essays = [r for r in bs if r["label"] == "ai" and r["meta"]["domain"] == "Essay"]
    spliced = []
    for h, a in zip(rng.sample(fp, 3 * args.n), rng.sample(essays, 3 * args.n), strict=True):
        text, spans = splice(clean_persuade(h["text"]), a["text"], rng)
        spliced.append((text, spans, classify(text)))
    out["spliced_essays"] = summary(spliced)
    humans = {str(r["id"]): r["text"] for r in l2r_all if r["label"] == "human"}
    pairs = [r for r in l2r if r["label"] == "ai" and str(r["meta"].get("human_id")) in humans]
    polished = []
    for r in rng.sample(pairs, min(len(pairs), 3 * args.n)):
        text, spans = polish(humans[str(r["meta"]["human_id"])], r["text"], rng)
        if spans:
            polished.append((text, spans, classify(text)))
    out["polished_documents"] = summary(polished)
    out["seconds"] = round(time.time() - t0)
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

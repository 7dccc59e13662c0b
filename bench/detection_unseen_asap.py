"""False positives of the shipped detector on ASAP essays it never trained on.

    OMP_NUM_THREADS=1 .venv/bin/python bench/detection_unseen_asap.py [--per-prompt 150]

The detector trains on a seeded sample of 840 ASAP essays; the scoring data holds ~12,000 more,
all human (US students, pre-LLM). A seeded sample per prompt of the rest, cleaned as in training
(anonymisation placeholders filled), goes through `classify`: every AI or Hybrid label is a
false positive. The prompts themselves were seen in training, the essays were not.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from aaie.engine.detection import classify
from aaie.engine.detection.data import clean_asap, load_human_essays


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--per-prompt", type=int, default=150)
    args = ap.parse_args()
    used = {d.id for d in load_human_essays(args.data_dir) if d.source == "asap"}
    by_prompt: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (args.data_dir / "score" / "asap_dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if str(r["id"]) not in used and r["text"].strip():
                by_prompt[r["prompt_id"]].append(r)
    rng = random.Random(5)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    flagged = []
    for pid in sorted(by_prompt):
        for r in rng.sample(by_prompt[pid], min(args.per_prompt, len(by_prompt[pid]))):
            c = classify(clean_asap(r["text"]))
            labels[pid][c.label] += 1
            if c.label != "Human":
                flagged.append({"id": r["id"], "label": c.label, "ai_score": c.ai_score})
    total = sum((labels[p] for p in labels), Counter())
    n = sum(total.values())
    print(json.dumps({p: dict(v) for p, v in sorted(labels.items())}, indent=1))
    print(f"{n} essays, labelled AI or Hybrid: {n - total['Human']} ({flagged})")


if __name__ == "__main__":
    main()

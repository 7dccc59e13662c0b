"""Training corpus for the detector: the shared DEV sets, normalised to one record type.

Only used by `aaie train detector` and the benchmark (never at serving time). Every record gets a
`group` (writer group for human texts, "ai" otherwise) and a `fold_key` so that the essays of one
prompt (and every hybrid spliced from them) always fall in the same cross-validation fold.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aaie.engine.text import clean_asap

# ASAP prompts held out (with ELLIPSE prompts whose hash % 5 == 0) as our own `valid` split.
ASAP_VALID_PROMPTS = frozenset({"asap-2", "asap-6"})
# ASAP essays sampled per prompt (long prompts 1, 2, 7, 8; short source-dependent 3-6).
ASAP_PER_PROMPT = {"asap-1": 150, "asap-2": 150, "asap-7": 150, "asap-8": 150}
ASAP_PER_SHORT_PROMPT = 60
SEED = 13


@dataclass
class Doc:
    id: str
    text: str
    label: str  # human | ai | hybrid
    source: str  # outfox | outfox_hybrid | fastdetectgpt | asap | ellipse
    generator: str  # "" for human texts
    group: str  # native | non_native | other_human | ai
    split: str  # train | valid
    fold_key: str
    domain: str = "essay"
    ai_spans: list[tuple[int, int]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_ai(self) -> int:
        """Document target: does the text contain AI-written material?"""
        return int(self.label != "human")


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _hash_mod(key: str, mod: int = 5) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % mod


def load_detect(data_dir: Path) -> list[Doc]:
    docs: list[Doc] = []
    for r in _read(data_dir / "detect" / "outfox_dev.jsonl"):
        meta = dict(r["meta"])
        docs.append(_detect_doc(r, "outfox", f"outfox-{meta['index']}", "native", "essay"))
    for r in _read(data_dir / "detect" / "outfox_dev_hybrid.jsonl"):
        meta = dict(r["meta"])
        docs.append(_detect_doc(r, "outfox_hybrid", f"outfox-{meta['index']}", "native", "essay"))
    for r in _read(data_dir / "detect" / "fastdetectgpt_dev.jsonl"):
        meta = dict(r["meta"])
        docs.append(
            _detect_doc(
                r, "fastdetectgpt", f"fdg-{meta['group']}", "other_human", str(meta["domain"])
            )
        )
    return docs


def _detect_doc(r: dict[str, Any], source: str, fold_key: str, group: str, domain: str) -> Doc:
    label = str(r["label"])
    spans = [(int(a), int(b)) for a, b in r["ai_spans"]]
    return Doc(
        id=str(r["id"]),
        text=str(r["text"]),
        label=label,
        source=source,
        generator=str(r["generator"] or ""),
        group=group if label == "human" else "ai",
        split=str(r["split"]),
        fold_key=fold_key,
        domain=domain,
        ai_spans=spans,
        meta=dict(r.get("meta") or {}),
    )


def load_human_essays(data_dir: Path) -> list[Doc]:
    """ELLIPSE (non-native learners) and a seeded sample of ASAP (US students) as human texts."""
    docs: list[Doc] = []
    for r in _read(data_dir / "score" / "ellipse_dev.jsonl"):
        pid = str(r["prompt_id"])
        split = "valid" if _hash_mod(pid) == 0 else "train"
        docs.append(_human_doc(r, "ellipse", "non_native", split, str(r["text"])))
    by_prompt: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _read(data_dir / "score" / "asap_dev.jsonl"):
        by_prompt[str(r["prompt_id"])].append(r)
    rng = random.Random(SEED)
    for pid in sorted(by_prompt):
        rows = sorted(by_prompt[pid], key=lambda x: str(x["id"]))
        n = ASAP_PER_PROMPT.get(pid, ASAP_PER_SHORT_PROMPT)
        split = "valid" if pid in ASAP_VALID_PROMPTS else "train"
        for r in rng.sample(rows, min(n, len(rows))):
            docs.append(_human_doc(r, "asap", "native", split, clean_asap(str(r["text"]))))
    return docs


def _human_doc(r: dict[str, Any], source: str, group: str, split: str, text: str) -> Doc:
    pid = str(r["prompt_id"])
    return Doc(
        id=str(r["id"]),
        text=text.strip(),
        label="human",
        source=source,
        generator="",
        group=group,
        split=split,
        fold_key=pid,
        meta={"prompt_id": pid},
    )


def load_corpus(data_dir: Path) -> list[Doc]:
    docs = load_detect(data_dir) + load_human_essays(data_dir)
    return [d for d in docs if d.text.strip()]

"""PII redaction benchmark on ../shared/data/pii/ (recall, precision, F5 per type; latency).

Run: .venv/bin/python bench/pii.py [--limit N] [--set asap|synth|both] [--errors]

Scoring (type-agnostic for "is it hidden?", the question that matters for privacy):
- a gold entity is recalled when >= 80 % of its non-space characters are inside predicted spans;
- a predicted entity is correct when >= 50 % of its characters are inside gold spans.
Per-type rows use the gold type for recall and the predicted type for precision.
F5 = (1 + 25) P R / (25 P + R): recall weighs 25x precision, as leaking PII is the costly error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from aaie.engine.redaction.engine import DEFAULT_ENTITIES

DATA = Path(
    os.environ.get(
        "AAIE_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
)
SYNTH_MAP = {
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "STREET_ADDRESS": "ADDRESS",
    "GPE": "LOCATION",
    "DOMAIN_NAME": "URL",
}
# Types AAIE redacts; synth types outside this set (dates, titles, card numbers...) are skipped.
SCORED = set(DEFAULT_ENTITIES)


def f_beta(p: float, r: float, beta: float = 5.0) -> float:
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def covered(mask: list[bool], text: str, start: int, end: int) -> float:
    idx = [i for i in range(start, end) if not text[i].isspace()]
    return sum(mask[i] for i in idx) / len(idx) if idx else 1.0


def run(rows: list[dict], synth: bool) -> dict:
    from aaie.engine.redaction import redact

    tp_r: dict[str, int] = defaultdict(int)
    n_gold: dict[str, int] = defaultdict(int)
    tp_p: dict[str, int] = defaultdict(int)
    n_pred: dict[str, int] = defaultdict(int)
    latencies: list[float] = []
    misses: list[str] = []
    fps: list[str] = []
    for row in rows:
        text = row["text"]
        gold = []
        for e in row["entities"]:
            t = SYNTH_MAP.get(e["type"], e["type"]) if synth else e["type"]
            if t in SCORED:
                gold.append((t, e["start"], e["end"]))
        t0 = time.perf_counter()
        red = redact(text)
        latencies.append((time.perf_counter() - t0) * 1000)
        pred_mask = [False] * len(text)
        gold_mask = [False] * len(text)
        for e in red.entities:
            for i in range(e.start, e.end):
                pred_mask[i] = True
        for _, s, e in gold:
            for i in range(s, e):
                gold_mask[i] = True
        for t, s, e in gold:
            n_gold[t] += 1
            if covered(pred_mask, text, s, e) >= 0.8:
                tp_r[t] += 1
            else:
                misses.append(f"{t}: {text[s:e]!r} in {text[max(0, s - 40) : e + 20]!r}")
        for e in red.entities:
            n_pred[e.type] += 1
            if covered(gold_mask, text, e.start, e.end) >= 0.5:
                tp_p[e.type] += 1
            else:
                fps.append(f"{e.type}: {text[e.start : e.end]!r}")
    per_type = {}
    for t in sorted(set(n_gold) | set(n_pred)):
        r = tp_r[t] / n_gold[t] if n_gold[t] else float("nan")
        p = tp_p[t] / n_pred[t] if n_pred[t] else float("nan")
        per_type[t] = {
            "gold": n_gold[t],
            "pred": n_pred[t],
            "recall": r,
            "precision": p,
            "f5": f_beta(p, r),
        }
    R = sum(tp_r.values()) / max(1, sum(n_gold.values()))
    P = sum(tp_p.values()) / max(1, sum(n_pred.values()))
    return {
        "rows": len(rows),
        "recall": R,
        "precision": P,
        "f5": f_beta(P, R),
        "per_type": per_type,
        "latency_ms_p50": statistics.median(latencies),
        "latency_ms_p95": sorted(latencies)[int(0.95 * (len(latencies) - 1))],
        "misses": misses,
        "false_positives": fps,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--set", choices=["asap", "synth", "both"], default="both")
    ap.add_argument("--errors", action="store_true", help="print misses and false positives")
    args = ap.parse_args()
    if not (DATA / "pii").exists():
        sys.exit(f"no data at {DATA / 'pii'}")
    t0 = time.perf_counter()
    from aaie.engine.redaction import get_analyzer

    get_analyzer()
    load_s = time.perf_counter() - t0
    print(f"# PII benchmark  {time.strftime('%Y-%m-%d')}  {platform.machine()}  load {load_s:.2f}s")
    sets = {"asap": "pii_asap_filled.dev.jsonl", "synth": "presidio_synth_dev.jsonl"}
    for name, fname in sets.items():
        if args.set not in (name, "both"):
            continue
        rows = [
            json.loads(line)
            for line in (DATA / "pii" / fname).read_text(encoding="utf-8").splitlines()
        ]
        if args.limit:
            rows = rows[: args.limit]
        res = run(rows, synth=name == "synth")
        print(
            f"\n## {fname}: {res['rows']} texts  recall {res['recall']:.3f}  precision "
            f"{res['precision']:.3f}  F5 {res['f5']:.3f}  "
            f"latency p50 {res['latency_ms_p50']:.0f} ms "
            f"p95 {res['latency_ms_p95']:.0f} ms"
        )
        print("| type | gold | predicted | recall | precision | F5 |\n|---|---|---|---|---|---|")
        for t, m in res["per_type"].items():
            print(
                f"| {t} | {m['gold']} | {m['pred']} | {m['recall']:.3f} | "
                f"{m['precision']:.3f} | {m['f5']:.3f} |"
            )
        if args.errors:
            print("\nMISSES:", *res["misses"][:80], sep="\n  ")
            print("\nFALSE POSITIVES:", *res["false_positives"][:80], sep="\n  ")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()

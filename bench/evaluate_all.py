"""evaluate_all latency: ~500-word essays with a 10-turn chat log, per-stage breakdown, and the
ratio to the detector's own time on the same input.

Run: .venv/bin/python bench/evaluate_all.py [--n 30]

For each case (built by bench/similarity_data.py, essays cut or extended to ~500 words):
1. detector alone: `classify(text, prompt, chat_log)` with a fresh analysis (it embeds the
   sentences and, with a chat log, runs the similarity matcher for chat-log evidence);
2. evaluate_all on the same input with the result cache bypassed (fresh analysis, fresh
   source-embedding cache), recording its per-stage timings;
3. evaluate_all again with the cache on (an identical resubmission).
Models are loaded and warmed before timing. Reports p50/p95 and the ratio (2)/(1) per case.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from similarity_data import build_cases


def _to_500_words(text: str, extra: str) -> str:
    words = text.split(" ")
    if len(words) < 500:
        words += extra.split(" ")
    return " ".join(words[:500])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    args = ap.parse_args()
    from aaie.engine.detection import classify
    from aaie.engine.pipeline import CACHE, evaluate_all
    from aaie.engine.similarity import engine as sim_engine

    cases = build_cases(args.n + 2, seed=29)
    t0 = time.perf_counter()
    warm = cases[0]
    evaluate_all(warm.text, warm.prompt, warm.chat_log, use_cache=False)
    load_s = time.perf_counter() - t0
    stages: dict[str, list[float]] = defaultdict(list)
    det_ms, total_ms, ratio, cached_ms = [], [], [], []
    for case, nxt in itertools.pairwise(cases[1:]):
        text = _to_500_words(case.text, nxt.text)
        sim_engine._EMB_CACHE.clear()
        t = time.perf_counter()
        classify(text, case.prompt, case.chat_log)
        det = 1000 * (time.perf_counter() - t)
        sim_engine._EMB_CACHE.clear()
        t = time.perf_counter()
        ev = evaluate_all(text, case.prompt, case.chat_log, use_cache=False)
        total = 1000 * (time.perf_counter() - t)
        for k, v in ev.timings_ms.items():
            stages[k].append(v)
        CACHE.put(ev.cache_key, ev)
        t = time.perf_counter()
        again = evaluate_all(text, case.prompt, case.chat_log)
        cached_ms.append(1000 * (time.perf_counter() - t))
        assert again.cached
        det_ms.append(det)
        total_ms.append(total)
        ratio.append(total / det)

    def p(xs: list[float], q: float) -> float:
        return float(np.percentile(xs, q))

    load = os.getloadavg()
    print(
        f"# evaluate_all benchmark {time.strftime('%Y-%m-%d %H:%M')} {platform.machine()} "
        f"{os.cpu_count()} cpus, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(
        f"{len(total_ms)} cases: 500-word essays, 10-turn chat logs; warm-up (model loads) "
        f"{load_s:.1f} s\n"
    )
    print("| stage | p50 ms | p95 ms |\n|---|---|---|")
    for k, v in stages.items():
        print(f"| {k} | {p(v, 50):.1f} | {p(v, 95):.1f} |")
    print(f"| **evaluate_all (wall)** | {p(total_ms, 50):.0f} | {p(total_ms, 95):.0f} |")
    print(f"| detector alone (classify) | {p(det_ms, 50):.0f} | {p(det_ms, 95):.0f} |")
    print(f"| cached resubmission | {p(cached_ms, 50):.3f} | {p(cached_ms, 95):.3f} |")
    print(f"\nratio evaluate_all / detector: p50 {p(ratio, 50):.2f}, p95 {p(ratio, 95):.2f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()

"""evaluate_all latency: ~500-word essays with a 10-turn chat log, per-stage breakdown, and the
ratio to the detector's own time on the same input.

Run: .venv/bin/python bench/evaluate_all.py [--n 30] [--png docs/latency_evaluate_all.png]

Two scenarios, each case timed in both:
- **new prompt**: every cache is empty (no sentence of the prompt or chat log embedded before),
  the worst case: the first submission to a new assignment;
- **known prompt**: a classmate's essay for the same assignment prompt was evaluated before
  (untimed), so the prompt's sentence embeddings are cached; the essay and chat log are new.
  This is the normal case in a class.
For each: (1) detector alone, `classify(text, prompt, chat_log)` with a fresh analysis (it embeds
the sentences and, with a chat log, runs the similarity matcher for chat-log evidence);
(2) evaluate_all on the same input with the result cache bypassed, per-stage timings; the cache
state is reset to the scenario's before each timed call. Then (3) evaluate_all again with the
result cache on (an identical resubmission). Models are loaded and warmed before timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from similarity_data import build_cases


def _to_500_words(text: str, extra: str) -> str:
    words = text.split(" ")
    if len(words) < 500:
        words += extra.split(" ")
    return " ".join(words[:500])


def _forget_everything() -> None:
    from aaie.engine.embeddings import get_embedder
    from aaie.engine.rubric import features

    get_embedder().clear_cache()
    features.prompt_info.cache_clear()


class Timings:
    def __init__(self) -> None:
        self.stages: dict[str, list[float]] = defaultdict(list)
        self.det_ms: list[float] = []
        self.total_ms: list[float] = []
        self.ratio: list[float] = []

    def table(self, title: str) -> str:
        rows = [f"### {title}\n", "| stage | p50 ms | p95 ms |", "|---|---|---|"]
        rows += [f"| {k} | {_p(v, 50):.1f} | {_p(v, 95):.1f} |" for k, v in self.stages.items()]
        total, det = self.total_ms, self.det_ms
        rows.append(f"| **evaluate_all (wall)** | {_p(total, 50):.0f} | {_p(total, 95):.0f} |")
        rows.append(f"| detector alone (classify) | {_p(det, 50):.0f} | {_p(det, 95):.0f} |")
        rows.append(
            f"\nratio evaluate_all / detector: p50 {_p(self.ratio, 50):.2f}, "
            f"p95 {_p(self.ratio, 95):.2f}, mean {np.mean(self.ratio):.2f}\n"
        )
        return "\n".join(rows)


def _p(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q))


def _time_case(scenario: str, timings: Timings, text: str, case: Any, classmate: Any) -> Any:
    """Time the detector alone, then evaluate_all, from the scenario's cache state."""
    from aaie.engine.detection import classify
    from aaie.engine.pipeline import evaluate_all

    def reset() -> None:
        _forget_everything()
        if scenario == "known prompt":  # a classmate's submission to the same assignment
            evaluate_all(classmate[0], case.prompt, classmate[1], use_cache=False)

    reset()
    t = time.perf_counter()
    classify(text, case.prompt, case.chat_log)
    det = 1000 * (time.perf_counter() - t)
    reset()
    t = time.perf_counter()
    ev = evaluate_all(text, case.prompt, case.chat_log, use_cache=False)
    total = 1000 * (time.perf_counter() - t)
    for k, v in ev.timings_ms.items():
        timings.stages[k].append(v)
    timings.det_ms.append(det)
    timings.total_ms.append(total)
    timings.ratio.append(total / det)
    return ev


def main() -> None:
    from aaie.config import Settings
    from aaie.services.engine import configure_engine

    configure_engine(Settings())  # AAIE_ONNX_THREADS, as the service reads it
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--png", type=Path, default=Path("docs/latency_evaluate_all.png"))
    args = ap.parse_args()
    from aaie.engine.pipeline import CACHE, evaluate_all

    cases = build_cases(args.n + 3, seed=29)
    t0 = time.perf_counter()
    warm = cases[0]
    evaluate_all(warm.text, warm.prompt, warm.chat_log, use_cache=False)
    load_s = time.perf_counter() - t0
    scenarios = {"new prompt": Timings(), "known prompt": Timings()}
    cached_ms: list[float] = []
    for case, nxt, other in zip(cases[1:], cases[2:], cases[3:], strict=False):
        text = _to_500_words(case.text, nxt.text)
        classmate = (_to_500_words(nxt.text, other.text), other.chat_log)
        for name, timings in scenarios.items():
            ev = _time_case(name, timings, text, case, classmate)
        CACHE.put(ev.cache_key, ev)
        t = time.perf_counter()
        again = evaluate_all(text, case.prompt, case.chat_log)
        cached_ms.append(1000 * (time.perf_counter() - t))
        assert again.cached

    load = os.getloadavg()
    print(
        f"# evaluate_all benchmark {time.strftime('%Y-%m-%d %H:%M')} {platform.machine()} "
        f"{os.cpu_count()} cpus, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(
        f"{len(cached_ms)} cases: 500-word essays, 10-turn chat logs; warm-up (model loads) "
        f"{load_s:.1f} s\n"
    )
    for name, timings in scenarios.items():
        print(timings.table(name))
    print(f"cached resubmission: p50 {_p(cached_ms, 50):.3f} ms, p95 {_p(cached_ms, 95):.3f} ms")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")
    _histogram(scenarios, args.png)


def _histogram(scenarios: dict[str, Timings], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(scenarios), figsize=(10, 3.6), sharey=True)
    top = max(max(t.total_ms + t.det_ms) for t in scenarios.values())
    bins = np.linspace(0, top * 1.02, 40)
    for ax, (name, t) in zip(axes, scenarios.items(), strict=True):
        for label, ms in (("evaluate_all", t.total_ms), ("detector alone", t.det_ms)):
            ax.hist(ms, bins=bins, alpha=0.6, label=f"{label} (p50 {_p(ms, 50):.0f} ms)")
        ax.set_title(f"{name}: {len(t.total_ms)} essays of 500 words + 10-turn chat")
        ax.set_xlabel("ms")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("essays")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

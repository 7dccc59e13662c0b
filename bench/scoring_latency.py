"""Latency of built-in rubric + feedback on ~500-word essays (models loaded once).

    OMP_NUM_THREADS=1 .venv/bin/python bench/scoring_latency.py [--n 40] [--no-prompt]

"shared analysis": the sentence embeddings are already in the TextAnalysis (as evaluate_all
shares them with detection and similarity), so this is the rubric + feedback cost alone.
"standalone": from raw text, including the MiniLM sentence embeddings (computed once and shared by
the two steps, as POST /llm/generate-feedback does).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "score"


def essays(n: int) -> list[tuple[str, str]]:
    from aaie.engine.text import word_count

    out = []
    with open(DATA / "asap_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if 450 <= word_count(r["text"]) <= 550:
                out.append((r["text"], r["prompt"]))
            if len(out) == n:
                break
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(int(q * len(xs)), len(xs) - 1)]


def main() -> None:
    from aaie.config import Settings
    from aaie.services.engine import configure_engine

    configure_engine(Settings())  # AAIE_ONNX_THREADS, as the service reads it
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument(
        "--no-prompt", action="store_true", help="score without the prompt (it is recognised)"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    from aaie.engine.analysis import TextAnalysis
    from aaie.engine.feedback import generate_feedback
    from aaie.engine.rubric import rubric_score
    from aaie.engine.rubric.model import load_scorer

    load_scorer()
    rubric_score("Warm up the models with a short text about computers.", "Computers")
    load_s = time.perf_counter() - t0
    items = [(t, None if args.no_prompt else p) for t, p in essays(args.n)]
    shared, standalone = [], []
    for text, prompt in items:
        a = TextAnalysis(text)
        _ = a.sentence_embeddings  # computed once by the pipeline for all stages
        t = time.perf_counter()
        r = rubric_score(text, prompt, analysis=a)
        generate_feedback(text, prompt, r, analysis=a)
        shared.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        fresh = TextAnalysis(text)  # as POST /llm/generate-feedback: one analysis, both steps
        r = rubric_score(text, prompt, analysis=fresh)
        generate_feedback(text, prompt, r, analysis=fresh)
        standalone.append((time.perf_counter() - t) * 1000)
    out = {
        "essays": len(items),
        "mean_words": statistics.mean(len(t.split()) for t, _ in items),
        "load_s": round(load_s, 2),
        "shared_p50_ms": round(pct(shared, 0.5), 1),
        "shared_p95_ms": round(pct(shared, 0.95), 1),
        "standalone_p50_ms": round(pct(standalone, 0.5), 1),
        "standalone_p95_ms": round(pct(standalone, 0.95), 1),
        "shared_essays_per_s": round(1000 / statistics.mean(shared), 1),
        "standalone_essays_per_s": round(1000 / statistics.mean(standalone), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

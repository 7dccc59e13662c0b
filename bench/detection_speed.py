"""Speed of the detector: load time, p50/p95 latency of classify, throughput, peak RSS.

    OMP_NUM_THREADS=2 .venv/bin/python bench/detection_speed.py [--data-dir ../shared/data]
        [--png docs/latency_classify.png]

Essays of ~100 / 500 / 1,000 words are cut from ELLIPSE and OUTFOX texts (whole sentences). Every
call gets a fresh TextAnalysis, so the MiniLM sentence embeddings are included in the total; the
embedding time is also reported on its own (in evaluate_all it is shared with similarity).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path


def _essays(data_dir: Path, target: int, n: int) -> list[str]:
    from aaie.engine.text import split_sentences, word_count

    texts = [json.loads(x)["text"] for x in (data_dir / "score/ellipse_dev.jsonl").open()]
    texts += [json.loads(x)["text"] for x in (data_dir / "detect/outfox_dev.jsonl").open()]
    pool = [s.text for t in texts for s in split_sentences(t)]
    out, i = [], 0
    for _ in range(n):
        parts: list[str] = []
        while word_count(" ".join(parts)) < target:
            parts.append(pool[i % len(pool)])
            i += 7
        out.append(" ".join(parts))
    return out


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def main() -> None:
    from aaie.config import Settings
    from aaie.services.engine import configure_engine

    configure_engine(Settings())  # AAIE_ONNX_THREADS, as the service reads it
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument(
        "--png",
        type=Path,
        default=Path("docs/latency_classify.png"),
        help="latency histogram per essay length",
    )
    args = ap.parse_args()

    t0 = time.perf_counter()
    from aaie.engine import language
    from aaie.engine.analysis import TextAnalysis
    from aaie.engine.detection import classify
    from aaie.engine.detection.features import warm_up
    from aaie.engine.detection.model import load_detector
    from aaie.engine.embeddings import get_embedder

    if load_detector().encoder is not None:  # detector-9: the fine-tuned encoder's ONNX graph
        from aaie.engine.detection.encoder import shipped_scorer

        shipped_scorer()
    get_embedder()
    warm_up()
    language.warm_up()
    load_s = time.perf_counter() - t0
    result: dict[str, object] = {"load_s": round(load_s, 2)}
    classify(_essays(args.data_dir, 50, 1)[0])  # first call warms onnxruntime
    samples: dict[int, list[float]] = {}
    for words in (100, 500, 1000):
        totals, embeds = [], []
        samples[words] = totals
        for text in _essays(args.data_dir, words, args.runs):
            a = TextAnalysis(text)
            t = time.perf_counter()
            _ = a.sentences
            s = time.perf_counter()
            if load_detector().projection is not None:  # detector-8 runs no embedding pass
                _ = a.sentence_embeddings
            e = time.perf_counter()
            classify(text, analysis=a)
            end = time.perf_counter()
            totals.append(1000 * (end - t))
            embeds.append(1000 * (e - s))
        result[f"{words}w"] = {
            "p50_ms": round(statistics.median(totals), 1),
            "p95_ms": round(_pct(totals, 0.95), 1),
            "embedding_p50_ms": round(statistics.median(embeds), 1),
            "detector_only_p50_ms": round(
                statistics.median(t - e for t, e in zip(totals, embeds, strict=True)), 1
            ),
        }
    result["throughput_500w_essays_per_s"] = round(1000 * len(samples[500]) / sum(samples[500]), 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2))
    _histogram(samples, args.png)


def _histogram(samples: dict[int, list[float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6))
    top = max(max(v) for v in samples.values())
    bins = [top * i / 40 for i in range(41)]
    for words, ms in samples.items():
        label = f"{words} words (p50 {statistics.median(ms):.0f} ms, p95 {_pct(ms, 0.95):.0f} ms)"
        ax.hist(ms, bins=bins, alpha=0.6, label=label)
    ax.axvline(400, color="k", linestyle="--", linewidth=1, label="500-word target: 400 ms p50")
    ax.set_xlabel("classify latency, ms (fresh analysis: MiniLM pass included)")
    ax.set_ylabel("essays")
    n = len(next(iter(samples.values())))
    ax.set_title(f"classify latency, {n} essays per length, one process on 2 cores")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

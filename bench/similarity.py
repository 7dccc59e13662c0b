"""Similarity benchmark: span F1 per kind, similarity_pct error, false flags, threshold sweep.

Run: .venv/bin/python bench/similarity.py [--n 120] [--sweep] [--errors]
Cases: bench/similarity_data.py (deterministic, seeded, built from ../shared/data at run time).

Measures (AI-turn matches vs gold inserted spans, over non-space characters):
- char P/R/F1 per case kind;
- span F1: a gold span is found when >= 50 % covered; a predicted span (merged AI-turn matches)
  is right when >= 50 % of it lies inside gold spans;
- |chat_pct - gold %|: mean, p95 and share within 3 points;
- flag rate on essays that copied nothing (kinds none and prompt_restate).
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import time
from collections import defaultdict

import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from similarity_data import DATA, KINDS, build_cases


def nonspace(text: str) -> np.ndarray:
    return np.array([not c.isspace() for c in text], dtype=bool)


def mask(n: int, spans: list[tuple[int, int]]) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for s, e in spans:
        m[s:e] = True
    return m


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def evaluate(cases, results) -> dict:
    char = defaultdict(lambda: np.zeros(3))  # tp, pred, gold per case kind
    span = defaultdict(lambda: np.zeros(4))  # gold hit, gold, pred ok, pred
    gold_kind_recall = defaultdict(lambda: np.zeros(2))
    errors, flags = [], defaultdict(list)
    for case, res in zip(cases, results, strict=True):
        n, ns = len(case.text), nonspace(case.text)
        pred_spans = merged([(m.start, m.end) for m in res.matches if m.role == "ai"])
        pm = mask(n, pred_spans) & ns
        gm = mask(n, [(s, e) for s, e, _ in case.gold]) & ns
        char[case.kind] += [(pm & gm).sum(), pm.sum(), gm.sum()]
        for s, e, k in case.gold:
            cov = pm[s:e].sum() / max(ns[s:e].sum(), 1)
            span[case.kind] += [cov >= 0.5, 1, 0, 0]
            gold_kind_recall[k] += [(pm[s:e] & ns[s:e]).sum(), ns[s:e].sum()]
        for s, e in pred_spans:
            inside = gm[s:e].sum() / max(ns[s:e].sum(), 1)
            span[case.kind] += [0, 0, inside >= 0.5, 1]
        gold_pct = 100 * gm.sum() / max(ns.sum(), 1)
        errors.append(abs(res.chat_pct - gold_pct))
        flags[case.kind].append(res.flag)
    out: dict = {"per_kind": {}, "gold_kind_char_recall": {}}
    for k in KINDS:
        tp, pred, gold = char[k]
        p = tp / pred if pred else 1.0
        r = tp / gold if gold else 1.0
        gh, g, po, pr = span[k]
        sp = po / pr if pr else 1.0
        sr = gh / g if g else 1.0
        out["per_kind"][k] = {
            "char_p": p,
            "char_r": r,
            "char_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "span_p": sp,
            "span_r": sr,
            "span_f1": 2 * sp * sr / (sp + sr) if sp + sr else 0.0,
            "flag_rate": float(np.mean(flags[k])) if flags[k] else float("nan"),
            "false_spans": int(pr - po),
            "cases": len(flags[k]),
        }
    for k, (hit, tot) in gold_kind_recall.items():
        out["gold_kind_char_recall"][k] = hit / tot if tot else float("nan")
    out["pct_mae"] = float(np.mean(errors))
    out["pct_p95"] = float(np.percentile(errors, 95))
    out["pct_within_3"] = float(np.mean(np.array(errors) <= 3))
    return out


def _clear_source_cache() -> None:
    """Latency is measured without the cross-call source-sentence cache (a fresh chat log)."""
    from aaie.engine.embeddings import get_embedder

    get_embedder().clear_cache()


def rescore(case, res, threshold: float):
    from aaie.engine.similarity.engine import _score

    kept = [m for m in res.matches if m.kind != "paraphrase" or m.score >= threshold]
    return _score(case.text, kept, len(case.prompt), res.threshold)


def report(metrics: dict, title: str) -> None:
    print(f"\n### {title}")
    print(
        "| case kind | cases | char P | char R | char F1 | span P | span R | span F1 | "
        "false spans | flag rate |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k, m in metrics["per_kind"].items():
        print(
            f"| {k} | {m['cases']} | {m['char_p']:.3f} | {m['char_r']:.3f} | {m['char_f1']:.3f} | "
            f"{m['span_p']:.3f} | {m['span_r']:.3f} | {m['span_f1']:.3f} | {m['false_spans']} | "
            f"{m['flag_rate']:.2f} |"
        )
    rec = ", ".join(f"{k} {v:.3f}" for k, v in sorted(metrics["gold_kind_char_recall"].items()))
    print(f"\nchar recall by inserted kind: {rec}")
    print(
        f"chat_pct error: mean {metrics['pct_mae']:.2f}, p95 {metrics['pct_p95']:.2f}, "
        f"within 3 points {100 * metrics['pct_within_3']:.1f} %"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    if not (DATA / "detect" / "outfox_dev.jsonl").exists():
        sys.exit(f"no data at {DATA}")
    from aaie.engine.analysis import TextAnalysis
    from aaie.engine.embeddings import get_embedder
    from aaie.engine.similarity import PARAPHRASE_THRESHOLD, prompt_similarity

    t0 = time.perf_counter()
    get_embedder()
    load_s = time.perf_counter() - t0
    cases = build_cases(args.n)
    floor = 0.6 if args.sweep else PARAPHRASE_THRESHOLD
    results, lat, lat_alone = [], [], []
    for case in cases:
        analysis = TextAnalysis(case.text)
        t = time.perf_counter()
        analysis.sentence_embeddings  # noqa: B018 - computed once and shared in evaluate_all
        t_emb = time.perf_counter() - t
        _clear_source_cache()
        t = time.perf_counter()
        res = prompt_similarity(
            case.text, case.prompt, case.chat_log, paraphrase_threshold=floor, analysis=analysis
        )
        lat.append(1000 * (time.perf_counter() - t))
        lat_alone.append(lat[-1] + 1000 * t_emb)
        results.append(res)
    words = statistics.mean(len(c.text.split()) for c in cases)
    chat_words = statistics.mean(sum(len(t["text"].split()) for t in c.chat_log) for c in cases)
    print(
        f"# similarity benchmark {time.strftime('%Y-%m-%d')} {platform.machine()} "
        f"{len(cases)} cases (mean {words:.0f} words, 10-turn chat log of {chat_words:.0f} words)"
    )
    if args.sweep:
        print(
            "\n| paraphrase threshold | paraphrase span F1 | mixed span F1 | none flag | "
            "pct within 3 | paraphrase char P |\n|---|---|---|---|---|---|"
        )
        for t in np.arange(0.65, 0.96, 0.025):
            m = evaluate(
                cases, [rescore(c, r, float(t)) for c, r in zip(cases, results, strict=True)]
            )
            pk = m["per_kind"]
            print(
                f"| {t:.3f} | {pk['paraphrase']['span_f1']:.3f} | {pk['mixed']['span_f1']:.3f} | "
                f"{pk['none']['flag_rate']:.2f} | {m['pct_within_3']:.3f} | "
                f"{pk['paraphrase']['char_p']:.3f} |"
            )
        results = [rescore(c, r, PARAPHRASE_THRESHOLD) for c, r in zip(cases, results, strict=True)]
    report(evaluate(cases, results), f"at paraphrase threshold {PARAPHRASE_THRESHOLD}")
    print(
        f"\nprompt_similarity latency, submission embeddings already shared (as in evaluate_all):"
        f" p50 {np.percentile(lat, 50):.0f} ms, p95 {np.percentile(lat, 95):.0f} ms; standalone"
        f" (embedding the submission too): p50 {np.percentile(lat_alone, 50):.0f} ms, p95 "
        f"{np.percentile(lat_alone, 95):.0f} ms; embedder load {load_s:.2f} s; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    if args.errors:
        for case, res in zip(cases, results, strict=True):
            pred = [(m.start, m.end, m.kind, m.score) for m in res.matches if m.role == "ai"]
            gold = case.gold
            if [(s, e) for s, e, *_ in merged([(p[0], p[1]) for p in pred])] != [
                (s, e) for s, e, _ in gold
            ]:
                print("\n==", case.id, "gold", gold, "pred", pred, "chat", res.chat_pct)
                for s, e, k in gold:
                    print("  GOLD", k, repr(case.text[s:e][:150]))
                for s, e, k, sc in pred:
                    print("  PRED", k, sc, repr(case.text[s:e][:150]))


if __name__ == "__main__":
    main()

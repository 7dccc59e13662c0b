"""Quality of the detector, per source, per generator and per writer group.

    OMP_NUM_THREADS=1 .venv/bin/python bench/detection.py [--data-dir ../shared/data] [--fast]

Protocols (all on the shared DEV data; the held-out benchmark sets are never read):
1. `valid`: the whole training procedure (`fit_detector`: OOF calibration, threshold) run on the
   `train` split only, then the engine's own label rule applied to every `valid` text.
2. `oof`: out-of-fold scores of the shipped procedure (5 prompt-grouped folds over all texts) at
   the shipped threshold; the largest samples for FPR per writer group.
3. leave-one-out: the procedure re-run without one generator (or one source) in training, tested
   on that generator's `valid` texts against the `valid` human texts.
4. chat-log paste recall: AI paragraphs (lightly edited) pasted into human essays, with the AI
   text as a chat turn.
Writes JSON to --out and PNG figures to docs/ (ROC per writer group and per generator, calibration).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from aaie.engine.analysis import TextAnalysis
from aaie.engine.detection import engine as E
from aaie.engine.detection import train as T
from aaie.engine.detection.augment import seed_for, studentize
from aaie.engine.detection.model import Detector

ESSAY_HUMANS = ("native", "non_native")


def detector_from(payload: dict[str, Any]) -> Detector:
    return Detector(card={"version": "bench"}, **payload)


def run_engine(det: Detector, it: T.Item, chat: list[dict[str, str]] | None = None) -> Any:
    """The engine's own pass on precomputed sentences/embeddings (no re-embedding)."""
    a = TextAnalysis(it.doc.text)
    a.__dict__["sentences"] = it.sentences
    a.__dict__["sentence_embeddings"] = it.sent_emb
    turns = E.as_chat_log(chat)
    return E._run(it.doc.text, None, turns, a, det=det).classification


def auroc(y: np.ndarray, p: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, p)), 4) if len(set(y.tolist())) == 2 else None


def group_key(it: T.Item) -> str:
    d = it.doc
    if d.label == "human":
        return f"human/{d.group}/{d.source}" + (
            f"/{d.domain}" if d.source == "fastdetectgpt" else ""
        )
    rewrite = "/student-rewrite" if d.meta.get("augmented") else ""  # training only
    return f"{d.label}/{d.source}/{d.generator}{rewrite}"


def evaluate_valid(
    items: list[T.Item], synth: list[T.Item], log: Any, cache_dir: Path | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    train = [it for it in items if it.doc.split == "train"]
    valid = [it for it in items if it.doc.split == "valid"]
    synth = [it for it in synth if it.doc.split == "train"]  # (all of them are)
    payload, _ = T.fit_detector(train, log=log, synth=synth, cache_dir=cache_dir)
    det = detector_from(payload)
    results = [run_engine(det, it) for it in valid]
    score = np.array([r.ai_score for r in results])
    y = np.array([it.doc.is_ai for it in valid])
    out: dict[str, Any] = {"threshold": det.threshold, "fpr_at_threshold_oof": det.fpr_at_threshold}
    out["passage_threshold"] = det.passage_threshold
    out["auroc_all"] = auroc(y, score)
    essay_h = np.array([it.doc.group in ESSAY_HUMANS for it in valid])
    src = np.array([it.doc.source for it in valid])
    for s in ("outfox", "outfox_hybrid"):
        m = (src == s) & (y == 1) | essay_h
        out[f"auroc_{s}_vs_essay_humans"] = auroc(y[m], score[m])
    m = src == "fastdetectgpt"
    out["auroc_fastdetectgpt_own_humans"] = auroc(y[m], score[m])
    rows: dict[str, dict[str, Any]] = {}
    by: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(valid):
        by[group_key(it)].append(i)
    for key, idx in sorted(by.items()):
        labels = [results[i].label for i in idx]
        row: dict[str, Any] = {"n": len(idx)}
        flagged = float(np.mean(score[idx] >= det.threshold))
        row["flag_rate" if key.startswith("human") else "tpr"] = round(flagged, 4)
        row["labels"] = {lab: labels.count(lab) for lab in ("Human", "AI", "Hybrid")}
        if not key.startswith("human"):
            hm = essay_h if "fastdetectgpt" not in key else (src == "fastdetectgpt") & (y == 0)
            yy = np.r_[np.ones(len(idx)), np.zeros(int(hm.sum()))]
            row["auroc"] = auroc(yy, np.r_[score[idx], score[hm]])
        rows[key] = row
    out["rows"] = rows
    out["sentence"] = sentence_metrics(det, valid, results)
    out["studentized"] = studentized(det, valid)
    out["calibration"] = calibration(score / 100, y)
    curves = {"score": score.tolist(), "y": y.tolist(), "keys": [group_key(it) for it in valid]}
    return out, curves


def sentence_metrics(det: Detector, valid: list[T.Item], results: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    by: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(valid):
        if it.doc.label == "hybrid":
            by["all"].append(i)
            by[f"generator/{it.doc.generator}"].append(i)
            by[f"mix/{it.doc.meta.get('mix')}"].append(i)
    for key, idx in sorted(by.items()):
        y = np.concatenate([valid[i].sent_labels for i in idx])
        gated = np.concatenate([[s.is_ai for s in results[i].sentences] for i in idx])
        p = np.concatenate([[s.ai_probability for s in results[i].sentences] for i in idx])
        out[key] = {
            "n_texts": len(idx),
            "f1_engine": round(T.f1_score(y, gated.astype(bool)), 4),
            "f1_ungated": round(T.f1_score(y, p >= det.sentence_threshold), 4),
            "sentence_auroc": auroc(y, p),
            "hybrid_label_rate": round(np.mean([results[i].label == "Hybrid" for i in idx]), 4),
            "flagged_rate": round(np.mean([results[i].label != "Human" for i in idx]), 4),
        }
    return out


def studentized(det: Detector, valid: list[T.Item]) -> dict[str, dict[str, float]]:
    """Share labelled AI/Hybrid of valid AI essays (and human essays, for the FPR) after the
    student-habit rewrite of augment.py (seeds unlike training's), per generator and strength."""
    out: dict[str, dict[str, float]] = {}
    picked = [it for it in valid if it.doc.label == "ai" or it.doc.group in ESSAY_HUMANS]
    for strength in (0.0, 0.5, 1.0):
        hits: dict[str, list[bool]] = defaultdict(list)
        for it in picked:
            text = studentize(it.doc.text, seed_for(it.doc.id), strength)
            label = E._run(text, None, [], TextAnalysis(text), det=det).classification.label
            key = group_key(it).split("/")
            hits["/".join(key[:3])].append(label != "Human")
        out[str(strength)] = {k: round(float(np.mean(v)), 4) for k, v in sorted(hits.items())}
    return out


def calibration(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in itertools.pairwise(edges):
        m = (p >= lo) & (p < hi if hi < 1 else p <= hi)
        if m.any():
            out.append(
                {
                    "bin": round(float(lo), 1),
                    "n": int(m.sum()),
                    "mean_p": round(float(p[m].mean()), 3),
                    "frac_ai": round(float(y[m].mean()), 3),
                }
            )
    return out


def evaluate_oof(
    items: list[T.Item], synth: list[T.Item], cache_dir: Path | None = None
) -> dict[str, Any]:
    payload, oof = T.fit_detector(items, log=print, synth=synth, cache_dir=cache_dir)
    score, t = oof["score"], payload["threshold"]
    out: dict[str, Any] = {"threshold": t, "fpr_by_group": oof["fpr_by_group"]}
    out["passage_threshold"] = payload["passage_threshold"]
    out["label_fpr_by_group"] = oof["label_fpr_by_group"]
    by: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        by[group_key(it)].append(i)
    out["rows"] = {
        k: {"n": len(v), "rate_at_threshold": round(float(np.mean(score[v] >= t)), 4)}
        for k, v in sorted(by.items())
    }
    return out


def evaluate_leave_out(
    items: list[T.Item],
    synth: list[T.Item],
    only: list[str] | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    out = {}
    held_out = {
        "generator flan-t5-xxl": lambda it: it.doc.generator == "flan-t5-xxl",
        "generator text-davinci-003": lambda it: it.doc.generator == "text-davinci-003",
        "generator gpt-3.5-turbo-0613": lambda it: it.doc.generator == "gpt-3.5-turbo-0613",
        "generator gpt-4 (fastdetectgpt)": lambda it: it.doc.generator == "gpt-4",
        "source fastdetectgpt": lambda it: "fastdetectgpt" in it.doc.source,
    }
    for name, is_held in held_out.items():
        if only and not any(o in name for o in only):
            continue
        train = [it for it in items if it.doc.split == "train" and not is_held(it)]
        test = [
            it for it in items if it.doc.split == "valid" and (is_held(it) or it.doc.is_ai == 0)
        ]
        kept = [it for it in synth if not is_held(it)]  # the held generator's hybrids too
        payload, _ = T.fit_detector(train, log=print, synth=kept, cache_dir=cache_dir)
        det = detector_from(payload)
        results = [run_engine(det, it) for it in test]
        score = np.array([r.ai_score for r in results])
        labelled = np.array([r.label != "Human" for r in results])
        held = np.array([is_held(it) and it.doc.is_ai == 1 for it in test])
        held_ai = np.array([is_held(it) and it.doc.label == "ai" for it in test])
        held_hyb = np.array([is_held(it) and it.doc.label == "hybrid" for it in test])
        human = np.array([it.doc.is_ai == 0 for it in test])
        essay = np.array([it.doc.group in ESSAY_HUMANS for it in test])
        fdg_h = human & ~essay
        out[name] = {
            "n_held_ai": int(held.sum()),
            "auroc_vs_essay_humans": auroc(
                np.r_[np.ones(held.sum()), np.zeros(essay.sum())], np.r_[score[held], score[essay]]
            ),
            "auroc_vs_fdg_humans": auroc(
                np.r_[np.ones(held.sum()), np.zeros(fdg_h.sum())], np.r_[score[held], score[fdg_h]]
            ),
            "tpr_at_threshold": round(float(np.mean(score[held] >= det.threshold)), 4),
            "essay_fpr_at_threshold": round(float(np.mean(score[essay] >= det.threshold)), 4),
            "ai_labelled_rate": _rate(labelled, held_ai),
            "hybrid_labelled_rate": _rate(labelled, held_hyb),
            "essay_labelled_rate": _rate(labelled, essay),
            "threshold": det.threshold,
        }
    return out


def _rate(hit: np.ndarray, mask: np.ndarray) -> float | None:
    return round(float(hit[mask].mean()), 4) if mask.any() else None


def chat_paste_recall(items: list[T.Item], n: int = 40) -> dict[str, Any]:
    """Paste one AI paragraph (lightly edited) into a human essay; the AI essay is a chat turn."""
    from aaie.engine.detection import classify

    rng = random.Random(7)
    humans = [
        it
        for it in items
        if it.doc.split == "valid" and it.doc.source == "outfox" and it.doc.label == "human"
    ]
    ais = {
        it.doc.meta.get("index"): it
        for it in items
        if it.doc.split == "valid"
        and it.doc.source == "outfox"
        and it.doc.generator == "gpt-3.5-turbo-0613"
    }
    found = total = 0
    for h in humans[:n]:
        ai = ais.get(h.doc.meta.get("index"))
        if ai is None:
            continue
        ai_sents = [s.text for s in ai.sentences]
        start = rng.randrange(max(1, len(ai_sents) - 3))
        pasted = [_light_edit(s, rng) for s in ai_sents[start : start + 3]]
        h_sents = [s.text for s in h.sentences]
        cut = len(h_sents) // 2
        text = (
            " ".join(h_sents[:cut]) + "\n\n" + " ".join(pasted) + "\n\n" + " ".join(h_sents[cut:])
        )
        chat = [
            {"role": "user", "text": h.doc.meta.get("prompt", "help") or "help"},
            {"role": "ai", "text": ai.doc.text},
        ]
        c = classify(text, chat_log=chat)
        p0 = text.index(pasted[0])
        p1 = p0 + len(" ".join(pasted))
        for s in c.sentences:
            if s.start >= p0 and s.end <= p1:
                total += 1
                found += int(s.source == "chat_log" and s.chat_turn == 1)
    return {"pasted_sentences": total, "found": found, "recall": round(found / max(total, 1), 4)}


def _light_edit(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    if len(words) > 6:
        i = rng.randrange(len(words))
        words[i] = words[i].lower() if rng.random() < 0.5 else words[i].rstrip(",")
    return " ".join(words)


def plot(curves: dict[str, Any], valid: dict[str, Any], out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    score, y, keys = np.array(curves["score"]), np.array(curves["y"]), np.array(curves["keys"])
    ai_mask = y == 1
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for group in ("native", "non_native", "other_human"):
        h = np.array([k.startswith(f"human/{group}/") for k in keys])
        fpr, tpr, _ = roc_curve(
            np.r_[np.ones(ai_mask.sum()), np.zeros(h.sum())], np.r_[score[ai_mask], score[h]]
        )
        axes[0].plot(fpr, tpr, label=f"all AI+hybrid vs {group} humans (n={h.sum()})")
    axes[0].set_title("ROC per writer group (valid split)")
    essay = np.array([k.startswith(("human/native", "human/non_native")) for k in keys])
    for gen in sorted({k for k in keys if not k.startswith("human")}):
        g = keys == gen
        fpr, tpr, _ = roc_curve(
            np.r_[np.ones(g.sum()), np.zeros(essay.sum())], np.r_[score[g], score[essay]]
        )
        axes[1].plot(fpr, tpr, label=f"{gen} (n={g.sum()})")
    axes[1].set_title("ROC per source/generator vs human essays (valid split)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlim(1e-3, 1)
        ax.axvline(0.01, color="grey", ls=":", lw=1)
        ax.set_xlabel("false-positive rate (log)")
        ax.set_ylabel("true-positive rate")
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(out_dir / "detector_roc.png", dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(5, 5))
    cal = valid["calibration"]
    ax.plot([c["mean_p"] for c in cal], [c["frac_ai"] for c in cal], "o-", label="valid split")
    ax.plot([0, 1], [0, 1], "k:", lw=1)
    ax.set_xlabel("ai_score / 100 (mean in bin)")
    ax.set_ylabel("fraction of texts containing AI")
    ax.set_title("Calibration (valid split, training mix)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "detector_calibration.png", dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(8, 4))
    groups = ["human/native/outfox", "human/native/asap", "human/non_native/ellipse"]
    for g in groups:
        ax.hist(score[keys == g], bins=50, range=(0, 100), alpha=0.5, density=True, label=g)
    ax.hist(
        score[ai_mask & np.array([k.startswith("ai/outfox") for k in keys])],
        bins=50,
        range=(0, 100),
        alpha=0.4,
        density=True,
        label="ai/outfox (all generators)",
    )
    ax.axvline(valid["threshold"], color="red", ls="--", label="threshold")
    ax.set_yscale("log")
    ax.set_xlabel("ai_score")
    ax.set_title("Score distributions per writer group (valid split)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "detector_scores.png", dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/detection-cache"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/detection-bench.json"))
    ap.add_argument("--fast", action="store_true", help="skip the leave-one-out re-fits")
    ap.add_argument(
        "--leave-out", default="", help="comma list: only these leave-one-out runs (e.g. flan-t5)"
    )
    args = ap.parse_args()
    t0 = time.time()
    items, synth = T.training_corpus(args.data_dir, args.cache_dir, print)
    report: dict[str, Any] = {}
    report["valid"], curves = evaluate_valid(items, synth, print, args.cache_dir)
    print("valid done", round(time.time() - t0), flush=True)
    plot(curves, report["valid"], Path("docs"))
    report["chat_paste"] = chat_paste_recall(items)
    report["oof"] = evaluate_oof(items, synth, args.cache_dir)
    print("oof done", round(time.time() - t0), flush=True)
    if not args.fast:
        only = [x for x in args.leave_out.split(",") if x]
        report["leave_out"] = evaluate_leave_out(items, synth, only, args.cache_dir)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

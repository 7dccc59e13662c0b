"""Markdown tables (and ROC figures) from bench/detection_loso.py's JSON.

.venv/bin/python bench/detection_loso_report.py /tmp/detection-loso-source.json [--png PATH]
    [--baseline OTHER.json --names OLD,NEW]   # two runs' shipped tables side by side
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

STYLE_ONLY = "style only (detector-8 procedure)"


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def table(title: str, rows: dict[str, dict[str, Any]], rate: str, head: str) -> list[str]:
    out = [f"**{title}**", "", f"| {head} | n | labelled AI or Hybrid | AI score ≥ threshold |"]
    out.append("| --- | --- | --- | --- |")
    for k, v in rows.items():
        out.append(f"| {k} | {v['n']} | {pct(v[rate])} | {pct(v['score_at_threshold'])} |")
    return [*out, ""]


def report(res: dict[str, Any]) -> str:
    held = {"source": "its source", "generator": "its generator family",
            "prompt": "its prompt or source item", "genre": "its genre"}[res["scheme"]]  # fmt: skip
    lines = [
        f"Scheme: **{res['scheme']}** (every text scored by models that never saw {held})."
        f" Thresholds: AI score {res['threshold']:.2f}, passage {res['passage_threshold']:.4f}, "
        f"sentence {res['sentence_threshold']:.2f}. Run time {res['seconds'] / 60:.0f} min.",
        "",
        f"Human texts labelled AI or Hybrid, pooled over every population: "
        f"**{pct(res['human_pooled'])}**.",
        "",
    ]
    lines += table("Human texts per population", res["human_by_population"],
                   "labelled_ai_or_hybrid", "population")  # fmt: skip
    lines += table("Human texts per source / domain", res["human_by_source"],
                   "labelled_ai_or_hybrid", "source")  # fmt: skip
    lines += table("AI texts per generator", res["ai_by_generator"], "labelled_ai_or_hybrid",
                   "generator")  # fmt: skip
    lines += table("AI texts per generator family", res["ai_by_family"], "labelled_ai_or_hybrid",
                   "family")  # fmt: skip
    lines += table("AI texts per source / genre", res["ai_by_domain"], "labelled_ai_or_hybrid",
                   "source / genre")  # fmt: skip
    lines += table("AI texts, plain vs paraphrased by the model itself (BiScope)",
                   res["ai_paraphrased"], "labelled_ai_or_hybrid", "kind")  # fmt: skip
    lines += ["**Hybrids: char-level precision / recall / F1 of the AI sentences**", ""]
    lines += ["| hybrids | n | labelled AI or Hybrid | precision | recall | F1 |",
              "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for k, v in res["hybrid_char_f1"].items():
        lines.append(
            f"| {k} | {v['n']} | {pct(v['labelled_ai_or_hybrid'])} | {v['precision']:.2f} | "
            f"{v['recall']:.2f} | **{v['f1']:.2f}** |"
        )
    lines += ["", "**AUROC of the AI score within each source** (AI and hybrid vs its own humans)",
              "", "| source | AUROC |", "| --- | --- |"]  # fmt: skip
    for k, v in res["auroc_by_source"].items():
        lines.append(f"| {k} | {'–' if v is None else f'{v:.3f}'} |")
    return "\n".join(lines) + "\n"


def comparison(
    res: dict[str, Any], old: dict[str, Any], names: tuple[str, str] | None = None
) -> str:
    """`old`'s tables (by default the same run's style-only ones: detector-8's procedure)
    against `res`'s on the same texts and folds: labelled AI or Hybrid, and AUROC."""
    a, b = names or (STYLE_ONLY, res.get("model", "with the encoder"))
    lines = [f"**{a} → {b}, the same texts and folds** (labelled AI or "
             "Hybrid; AUROC of the AI score)", "",
             f"| | n | {a} | {b} |", "| --- | --- | --- | --- |",
             f"| human texts, pooled | {sum(v['n'] for v in res['human_by_population'].values())}"
             f" | {pct(old['human_pooled'])} | {pct(res['human_pooled'])} |"]  # fmt: skip
    sections = [("human", "human_by_population"), ("AI", "ai_by_source"),
                ("AI", "ai_by_family"), ("AI", "ai_paraphrased")]  # fmt: skip
    for kind, key in sections:
        for k, v in res[key].items():
            before = old[key].get(k, {}).get("labelled_ai_or_hybrid")
            lines.append(f"| {kind}: {k} | {v['n']} | {pct(before)} | "
                         f"**{pct(v['labelled_ai_or_hybrid'])}** |")  # fmt: skip
    for k, v in res["hybrid_char_f1"].items():
        if "/" not in k:
            before = old["hybrid_char_f1"].get(k, {}).get("f1")
            lines.append(f"| hybrids {k}: char F1 | {v['n']} | {before:.2f} | {v['f1']:.2f} |")
    for k, v in res["auroc_by_source"].items():
        before = old["auroc_by_source"].get(k)
        if v is not None and before is not None:
            lines.append(f"| AUROC within {k} | | {before:.3f} | **{v:.3f}** |")
    return "\n".join(lines) + "\n"


def held_out_threshold(res: dict[str, Any], names: tuple[str, str]) -> str:
    """The tables with the threshold held out too (bench/detection_loso.py
    `held_out_threshold_tables`): the style-only procedure against this run, side by side."""
    new = res["held_out_threshold"]
    old = res.get("style_only", {}).get("held_out_threshold", new)
    a, b = names
    lines = [f"**Threshold held out too** (chosen on the other folds, applied to the held-out one;"
             f" AI score ≥ it). Thresholds per fold: {a} {old['thresholds_by_fold']}, "
             f"{b} {new['thresholds_by_fold']}", "",
             f"| | n | {a} | {b} |", "| --- | --- | --- | --- |",
             f"| human texts, pooled | | {pct(old['human_pooled'])} | "
             f"**{pct(new['human_pooled'])}** |"]  # fmt: skip
    for k, kinds in new.get("by_fold", {}).items():  # runs before session 13 lack it
        lines.append(
            f"| fold {k} (threshold {new['thresholds_by_fold'][k]}): "
            + ", ".join(f"{kind} {v['n']}" for kind, v in kinds.items())
            + " | | | "
            + " / ".join(pct(v["at_held_out_threshold"]) for v in kinds.values())
            + " |"
        )
    keys = ("human_by_population", "human_by_source", "ai_by_source", "ai_by_family",
            "ai_paraphrased")  # fmt: skip
    for key in keys:
        kind = key.split("_")[0].replace("ai", "AI")
        for k, v in new[key].items():
            before = old[key][k]["at_held_out_threshold"]
            now = v["at_held_out_threshold"]
            if key == "human_by_source" and max(before, now) == 0:
                continue  # the source / domain rows only where a text was flagged
            lines.append(f"| {kind}: {k} | {v['n']} | {pct(before)} | **{pct(now)}** |")
    return "\n".join(lines) + "\n"


def held_out_label(res: dict[str, Any]) -> str:
    """This run's whole label rule held out (session 13): both thresholds chosen on the other
    folds, AI or Hybrid when the AI score or a passage fires (`labelled_held_out`); since
    session 14 with the passage rule's genre gate, its centroids made without the fold."""
    new = res["held_out_threshold"]
    gated = new.get("passage_gate", False)
    extra = " | without the passage gate" if gated else ""
    how = "; the passage gate's population centroids made without the fold" if gated else ""
    lines = ["**The whole label held out** (AI score and passage thresholds both chosen on the "
             f"other folds{how}). "
             f"Passage thresholds per fold: {new['passage_thresholds_by_fold']}", "",
             f"| | n | AI score ≥ held-out threshold | labelled AI or Hybrid{extra} |",
             "| --- | --- | --- | --- |" + (" --- |" if gated else ""),
             f"| human texts, pooled | | {pct(new['human_pooled'])} | "
             f"**{pct(new['human_pooled_labelled'])}** |"
             + (f" {pct(new['human_pooled_labelled_no_gate'])} |" if gated else "")]  # fmt: skip
    for key in ("human_by_population", "human_by_source", "ai_by_source", "ai_by_family"):
        kind = key.split("_")[0].replace("ai", "AI")
        for k, v in new[key].items():
            ungated = v.get("labelled_held_out_no_gate", v["labelled_held_out"])
            if key == "human_by_source" and ungated == 0:
                continue
            lines.append(f"| {kind}: {k} | {v['n']} | {pct(v['at_held_out_threshold'])} | "
                         f"**{pct(v['labelled_held_out'])}** |"
                         + (f" {pct(ungated)} |" if gated else ""))  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("json", type=Path)
    ap.add_argument("--png", type=Path, default=None, help="ROC figure per population / family")
    ap.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another run of the same scheme: its tables against this run's",
    )
    ap.add_argument("--names", default="baseline,this run", metavar="OLD,NEW")
    args = ap.parse_args()
    res = json.loads(args.json.read_text(encoding="utf-8"))
    print(report(res))
    if "style_only" in res:
        print(comparison(res, res["style_only"]))
    if "held_out_threshold" in res:
        print(
            held_out_threshold(
                res, ("style only (detector-8 procedure)", res.get("model", "this run"))
            )
        )
    if "human_pooled_labelled" in res.get("held_out_threshold", {}):
        print(held_out_label(res))
    if args.baseline:
        old = json.loads(args.baseline.read_text(encoding="utf-8"))
        print(comparison(res, old, tuple(args.names.split(",", 1))))  # type: ignore[arg-type]
    if args.png and "curves" in res:
        roc_figure(res, args.png)


def roc_figure(res: dict[str, Any], path: Path) -> None:
    """ROC of the AI score per human population (vs all AI texts) and per generator family (vs
    all human texts), out of fold, with the shipped threshold marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.metrics import roc_curve

    c = res["curves"]
    score, is_ai = np.array(c["score"]), np.array(c["is_ai"])
    pops, fams = np.array(c["population"]), np.array(c["family"])
    human = is_ai == 0
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
    panels = [
        ("human population (vs every AI text)", sorted(set(pops[human].tolist())),
         lambda k: (pops == k) & human, is_ai == 1),
        ("generator family (vs every human text)", sorted(set(fams[~human].tolist()) - {""}),
         lambda k: (fams == k) & ~human, human),
    ]  # fmt: skip
    for ax, (title, keys, pick, rest) in zip(axes, panels, strict=True):
        for k in keys:
            m = pick(k) | rest
            if m.sum() < 20 or len(set(is_ai[m].tolist())) < 2:
                continue
            fpr, tpr, thr = roc_curve(is_ai[m], score[m])
            at = np.searchsorted(-thr, -res["threshold"])
            ax.plot(fpr, tpr, label=f"{k} (n={int(pick(k).sum())})")
            ax.plot(fpr[min(at, len(fpr) - 1)], tpr[min(at, len(tpr) - 1)], "k.")
        ax.set_xscale("log")
        ax.set_xlim(1e-3, 1)
        ax.set_xlabel("false-positive rate (log)")
        ax.set_ylabel("true-positive rate")
        ax.set_title(f"ROC per {title}", fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
        ax.grid(alpha=0.3)
    fig.suptitle(
        f"{res.get('model', 'detector-9')}, leave-one-{res['scheme']}-out scores "
        f"(dot = threshold {res['threshold']:.1f})"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()

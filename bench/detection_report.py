"""Render bench/detection.py's JSON as the Markdown tables of docs/benchmarks/detection.md.

.venv/bin/python bench/detection_report.py /tmp/detection-bench.json
"""

from __future__ import annotations

import json
import sys
from typing import Any


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def render(r: dict[str, Any]) -> str:
    v, oof = r["valid"], r["oof"]
    out = [
        "### Per source / generator / writer group (valid split; trained on the train split)",
        "",
        f"Threshold (from the train split's out-of-fold scores): **{v['threshold']:.2f}**. "
        f"AUROC all valid texts {num(v['auroc_all'])}; OUTFOX AI vs human essays "
        f"{num(v['auroc_outfox_vs_essay_humans'])}; OUTFOX hybrids vs human essays "
        f"{num(v['auroc_outfox_hybrid_vs_essay_humans'])}; Fast-DetectGPT AI vs its own humans "
        f"{num(v['auroc_fastdetectgpt_own_humans'])}.",
        "",
        "| texts | n | AUROC vs human essays* | AI score at threshold (TPR / FPR) "
        "| labels Human / AI / Hybrid | labelled AI or Hybrid | out-of-fold at threshold (n) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, row in v["rows"].items():
        o = oof["rows"].get(key, {})
        rate = row.get("tpr", row.get("flag_rate"))
        labels = row["labels"]
        out.append(
            f"| {key} | {row['n']} | {num(row.get('auroc'))} | {pct(rate)} | "
            f"{labels['Human']} / {labels['AI']} / {labels['Hybrid']} | "
            f"{pct((labels['AI'] + labels['Hybrid']) / row['n'])} | "
            f"{pct(o.get('rate_at_threshold'))} ({o.get('n', '-')}) |"
        )
    out += [
        "",
        "\\* Fast-DetectGPT AI texts are compared with Fast-DetectGPT's own human texts.",
        "",
        f"Out-of-fold (shipped procedure, all data) threshold **{oof['threshold']:.2f}**, FPR: "
        + ", ".join(f"{k} {pct(x)}" for k, x in oof["fpr_by_group"].items())
        + ".",
        "",
        f"Passage threshold (valid protocol / shipped): {v.get('passage_threshold', 1):.4f} / "
        f"{oof.get('passage_threshold', 1):.4f}. Out-of-fold share of human texts labelled AI or "
        "Hybrid (AI score or passage): "
        + ", ".join(f"{k} {pct(x)}" for k, x in oof.get("label_fpr_by_group", {}).items())
        + ".",
        "",
        "### Sentence level (valid hybrids)",
        "",
        "| hybrids | n | F1 (engine) | F1 (sentence model alone) "
        "| sentence AUROC | labelled Hybrid | flagged (not Human) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, s in v["sentence"].items():
        out.append(
            f"| {key} | {s['n_texts']} | {num(s['f1_engine'])} | {num(s['f1_ungated'])} | "
            f"{num(s['sentence_auroc'])} | {pct(s['hybrid_label_rate'])} | "
            f"{pct(s['flagged_rate'])} |"
        )
    if "studentized" in v:
        st = v["studentized"]
        strengths = list(st)
        out += [
            "",
            "### Student-habit rewrites of valid texts (labelled AI or Hybrid)",
            "",
            "| texts | " + " | ".join(f"strength {x}" for x in strengths) + " |",
            "|---|" + "---|" * len(strengths),
        ]
        for key in st[strengths[0]]:
            out.append(f"| {key} | " + " | ".join(pct(st[x][key]) for x in strengths) + " |")
    c = r["chat_paste"]
    out += [
        "",
        f"Chat-log paste: {c['found']} of {c['pasted_sentences']} pasted sentences found "
        f"({pct(c['recall'])}), each with the right `chat_turn`.",
    ]
    if "leave_out" in r:
        out += [
            "",
            "### Held out of training (tested on its valid texts vs valid human texts)",
            "",
            "| held out | n AI | AUROC vs essays | AUROC vs FDG humans | TPR at its threshold "
            "| essay FPR | threshold | AI texts / hybrids labelled AI or Hybrid "
            "| human essays labelled AI or Hybrid |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, x in r["leave_out"].items():
            out.append(
                f"| {name} | {x['n_held_ai']} | {num(x['auroc_vs_essay_humans'])} | "
                f"{num(x['auroc_vs_fdg_humans'])} | {pct(x['tpr_at_threshold'])} | "
                f"{pct(x['essay_fpr_at_threshold'])} | {x['threshold']:.2f} | "
                f"{pct(x.get('ai_labelled_rate'))} / {pct(x.get('hybrid_labelled_rate'))} | "
                f"{pct(x.get('essay_labelled_rate'))} |"
            )
    return "\n".join(out)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        print(render(json.load(fh)))

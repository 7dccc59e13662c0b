"""Render /tmp/scoring-cache/scoring_results.json as Markdown (for docs/benchmarks/scoring.md).

.venv/bin/python bench/scoring_report.py
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path("/tmp/scoring-cache/scoring_results.json")
TARGETS = ("overall", "Structure", "Clarity", "Relevance", "AcademicWriting")


def fmt(x: float | None) -> str:
    return "–" if x is None or x != x else f"{x:.2f}"


def main() -> None:
    r = json.loads(RESULTS.read_text())
    lines = []
    for split, title in (
        ("within_prompt", "Within prompt (5-fold, essays of every prompt in training)"),
        ("by_prompt", "Held out BY PROMPT (each ASAP prompt a fold; ELLIPSE prompts in 2 folds)"),
    ):
        res = r["splits"][split]
        prompts = sorted({p for t in TARGETS for p in res[t]["model"]["qwk_per_prompt"]})
        lines += [
            f"### {title}",
            "",
            "QWK per prompt, model (baseline: length + which prompt, in brackets):",
            "",
            "| criterion | " + " | ".join(prompts) + " | mean | band agreement |",
            "|---" * (len(prompts) + 3) + "|",
        ]
        for t in TARGETS:
            m, b = res[t]["model"], res[t]["length_only"]
            cells = [
                f"{fmt(m['qwk_per_prompt'].get(p))} ({fmt(b['qwk_per_prompt'].get(p))})"
                for p in prompts
            ]
            lines.append(
                f"| {t} | "
                + " | ".join(cells)
                + f" | **{fmt(m['qwk_mean'])}** ({fmt(b['qwk_mean'])}) | "
                f"{fmt(m['band_agreement'])} ({fmt(b['band_agreement'])}) |"
            )
        lines.append("")
    ot = r["on_topic_by_prompt"]
    lines += [
        "### Relevance looks at the prompt",
        "",
        "On-topic model, leave-one-prompt-out (essays with their own vs another prompt):",
        "",
        "| prompt | AUROC | on-topic essays capped at Fair | off-topic not capped (P ≥ 0.5) |",
        "|---|---|---|---|",
    ]
    for pid, v in ot.items():
        lines.append(
            f"| {pid} | {v['auroc']:.3f} | {v['own_capped_fair']:.1%} | {v['other_uncapped']:.1%} |"
        )
    o = r["off_topic"]
    lines += [
        "",
        f"Shipped model, {o['n']} ASAP essays scored against the next prompt's text: "
        f"Excellent on Relevance {o['other_excellent']:.1%} (with their own prompt "
        f"{o['own_excellent']:.1%}); Good or better {o['other_good_or_better']:.1%}; mean "
        f"Relevance {o['other_mean']:.2f} vs {o['own_mean']:.2f} on-topic.",
        "",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()

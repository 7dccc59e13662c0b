"""`aaie evaluate --html`: a report at the level of the PDF (#20)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from aaie.cli import app
from aaie.engine.detection.model import load_detector
from tests.api.workflow_support import ESSAY, PROMPT

runner = CliRunner()
AI_TURN = (
    "Renewable energy sources such as solar and wind power reduce greenhouse gas emissions and "
    "lower long-term energy costs for cities, while creating local jobs in installation and "
    "maintenance."
)


def test_html_report_has_rubric_table_scales_and_plain_legend(tmp_path: Path) -> None:
    essay = tmp_path / "essay.txt"
    essay.write_text(ESSAY + "\n\n" + AI_TURN, encoding="utf-8")
    prompt = tmp_path / "prompt.txt"
    prompt.write_text(PROMPT, encoding="utf-8")
    chat = tmp_path / "chat.json"
    chat.write_text(
        json.dumps([{"role": "user", "text": "help"}, {"role": "ai", "text": AI_TURN}]),
        encoding="utf-8",
    )
    out = tmp_path / "report.html"
    result = runner.invoke(
        app,
        ["evaluate", str(essay), "--prompt", str(prompt), "--chat-log", str(chat),
         "--html", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert (
        "<th>Criterion</th>" in html
        and "Structure" in html
        and "{" not in html.split("</style>")[1].split("<h3>Essay")[0]
    )  # no raw JSON
    assert "/ 100</b>" in html and "flag threshold" in html
    # The threshold as the label used it (one decimal or more), not rounded to an integer
    shown = re.search(r"flag threshold (\d+\.\d+)", html)
    assert shown is not None and abs(float(shown.group(1)) - load_detector().threshold) <= 0.05
    assert "of those from sources AAIE was not trained on)" in html  # the held-out rate too
    assert "on a 0-1 scale" in html
    assert "chat log turn 2" in html  # turns counted from 1, in words
    assert "chat:1:" not in html and "chat_overlap" not in html.split("</style>")[1].replace(
        "class='chat_overlap'", ""
    )
    assert "From the AI chat log" in html and "Likely AI-generated" in html


def test_html_report_says_not_judged_for_another_language_and_why_criteria_have_no_level(
    tmp_path: Path,
) -> None:
    """#20: a French text was shown an AI score as if judged; an unscored criterion printed
    its reason twice ("Not scored: ..." from the engine and again from the report)."""
    from tests.api.test_evidence_views import FRENCH

    french, short = tmp_path / "french.txt", tmp_path / "short.txt"
    french.write_text(FRENCH, encoding="utf-8")
    short.write_text("Phones are bad.", encoding="utf-8")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["evaluate", str(french), str(short), "--html", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8").split("</style>")[1]
    first, second = html.split("short.txt")[0], html.split("short.txt")[1]
    assert "Not judged" in first and "looks like French" in first
    assert "/ 100</b>" not in first  # no AI score shown as if it were a verdict
    assert second.count("Not scored by AAIE: not enough text to score") == 4  # once a criterion
    assert "Not scored: " not in second

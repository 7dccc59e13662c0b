"""`aaie evaluate` (the whole engine bundle per file) and `aaie redact` (PII redaction)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add this module's commands to the `aaie` app (and `aaie train`)."""
    app.command("evaluate")(evaluate_cmd)
    app.command("redact")(redact_cmd)


def _read_chat_log(path: Path | None) -> list[dict[str, str]] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path}: not JSON ({exc})") from exc
    from aaie.engine.types import as_chat_log

    try:
        return [t.model_dump() for t in as_chat_log(data)]
    except Exception as exc:
        raise typer.BadParameter(
            f"{path}: a chat log is a JSON list of {{'role': 'user'|'ai', 'text': str}}"
        ) from exc


def evaluate_cmd(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="Submissions (.txt, .md, .docx, .pdf)."
    ),
    prompt: Path | None = typer.Option(None, "--prompt", exists=True, help="Prompt text file."),
    chat_log: Path | None = typer.Option(
        None, "--chat-log", exists=True, help="Chat log JSON: [{role: user|ai, text}]."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per file)."),
    html: Path | None = typer.Option(None, "--html", help="Write an HTML report here."),
    threshold: float = typer.Option(40.0, "--similarity-threshold", help="Flag at this %."),
) -> None:
    """Evaluate submissions: classification, AI score, similarity, highlights, rubric, feedback.
    A file that cannot be read stops the command (exit code 2)."""
    from rich.console import Console
    from rich.progress import Progress

    from aaie.cli.documents import read_documents
    from aaie.cli.service import engine_settings
    from aaie.engine.pipeline import evaluate_all

    texts = read_documents(files)
    engine_settings()
    console = Console(stderr=True)
    prompt_text = prompt.read_text(encoding="utf-8") if prompt else None
    turns = _read_chat_log(chat_log)
    results: list[tuple[Path, str, Any]] = []
    with Progress(console=console, transient=True, disable=len(files) < 2) as progress:
        task = progress.add_task("Evaluating", total=len(files))
        for path in files:
            text = texts[path]
            try:
                ev = evaluate_all(text, prompt_text, turns, similarity_threshold=threshold)
            except ValueError as exc:
                console.print(f"[red]{path}: {exc}[/red]")
                raise typer.Exit(2) from exc
            results.append((path, text, ev))
            progress.advance(task)
    if as_json:
        for path, _, ev in results:
            typer.echo(json.dumps({"file": str(path), **ev.model_dump(mode="json")}))
    else:
        _print_table(results)
    if html is not None:
        html.write_text(_html_report(results), encoding="utf-8")
        console.print(f"HTML report written to {html}")


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return obj


def _print_table(results: list[tuple[Path, str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="AAIE evaluation")
    for col in ("file", "label", "AI score", "similarity %", "chat %", "flag", "rubric", "ms"):
        table.add_column(col)
    console = Console()
    for path, _, ev in results:
        sim = ev.similarity
        table.add_row(
            path.name,
            str(_get(ev.classification, "label")),
            f"{_get(ev.ai_score, 'ai_score') or 0:.0f}",
            f"{sim.similarity_pct:.1f}" if sim else "-",
            f"{sim.chat_pct:.1f}" if sim else "-",
            ("yes" if sim.flag else "no") if sim else "-",
            str(_get(ev.rubric, "overall_label")),
            f"{ev.timings_ms.get('total', 0):.0f}" + (" (cached)" if ev.cached else ""),
        )
    console.print(table)
    for path, _, ev in results:
        for stage, why in ev.errors.items():
            console.print(f"[yellow]{path.name}: stage {stage} failed: {why}[/yellow]")


def _html_report(results: list[tuple[Path, str, Any]]) -> str:
    """A self-contained HTML report with what the PDF report shows a teacher: each number with
    its scale and threshold, the rubric as a table with evidence, matched sources and a legend
    in plain words."""
    from html import escape

    from aaie.reports.pdf import HIGHLIGHT_COLOURS, HIGHLIGHT_NAMES

    css = (
        "body{font-family:sans-serif;max-width:62em;margin:auto;color:#1f2933;line-height:1.45}"
        "pre{white-space:pre-wrap;font-family:inherit}"
        "table{border-collapse:collapse;width:100%;margin:.5em 0}"
        "th,td{border:1px solid #d0d7de;padding:.35em .5em;vertical-align:top;text-align:left}"
        "th{background:#f3f5f7}.note{color:#52606d;font-size:.92em}"
        "td ul{margin:0;padding-left:1.1em}"
        + "".join(f"mark.{k}{{background:{c}}}" for k, c in HIGHLIGHT_COLOURS.items())
    )
    legend = " ".join(
        f"<mark class='{k}'>{escape(HIGHLIGHT_NAMES[k])}</mark>" for k in HIGHLIGHT_COLOURS
    )
    parts = [
        "<!doctype html><meta charset='utf-8'><title>AAIE report</title>",
        f"<style>{css}</style><h1>AAIE report</h1>",
        f"<p>Highlights: {legend}. Hover over a highlight to see where it comes from.</p>",
    ]
    for path, text, ev in results:
        parts.append(f"<h2>{escape(path.name)}</h2>")
        parts += _html_summary(ev)
        for stage, why in ev.errors.items():
            parts.append(f"<p class='note'>Stage {escape(stage)} failed: {escape(why)}</p>")
        parts += _html_rubric(ev.rubric)
        parts += _html_sources(text, ev.similarity)
        parts.append("<h3>Essay</h3>")
        parts.append(f"<pre>{_marked(text, ev.highlights.spans)}</pre>")
        feedback = _get(ev.feedback, "text")
        if feedback:
            parts.append(f"<h3>Feedback for the student</h3><pre>{escape(str(feedback))}</pre>")
    return "\n".join(parts)


def _html_summary(ev: Any) -> list[str]:
    from html import escape

    from aaie.engine.detector_words import not_judged, population_words
    from aaie.engine.explain import score_against_threshold, score_and_share

    cls, score, sim = ev.classification, ev.ai_score, ev.similarity
    items = []
    judged = None
    if cls is not None:
        judged = not_judged(
            unsupported_language=cls.unsupported_language,
            language=cls.language,
            insufficient_text=cls.insufficient_text,
            word_count=cls.word_count,
        )
        if cls.unsupported_language and cls.label == "Human":  # a default, not a finding
            items.append(f"Classification: <b>Not judged</b> ({escape(judged or '')})")
        elif cls.insufficient_text:
            items.append("Classification: <b>Not enough text</b> (too short to tell)")
        else:
            items.append(
                f"Classification: <b>{escape(cls.label)}</b> (confidence {cls.confidence:.0%}; "
                f"{cls.ai_fraction:.0%} of sentences read as AI-written)"
            )
    if score is not None and not (cls is not None and cls.unsupported_language):
        side = "at or above" if score.ai_score >= score.threshold else "below"
        shown_score, shown_threshold = score_against_threshold(score.ai_score, score.threshold)
        items.append(
            f"AI score: <b>{shown_score} / 100</b>, {side} the flag threshold "
            f"{shown_threshold} (at this threshold, {score.fpr_at_threshold:.1%} of the "
            f"{escape(population_words(score.fpr_population))} we tested were labelled AI"
            + (
                f"; {score.fpr_held_out:.1%} of those from sources AAIE was not trained on)"
                if score.fpr_held_out is not None
                else ")"
            )
        )
    if sim is not None:
        items.append(
            f"Similarity: <b>{sim.flag_pct:.0f} %</b> of the text counts towards the flag "
            f"(flag at {sim.threshold:g} %: {'flagged' if sim.flag else 'not flagged'}); "
            f"{sim.prompt_pct:.0f} % matches the prompt, {sim.chat_pct:.0f} % an AI answer in "
            f"the chat log, {sim.user_chat_pct:.0f} % the student's own chat messages"
        )
    rubric = ev.rubric
    if rubric is not None and rubric.overall_label:
        items.append(
            f"Rubric overall: <b>{escape(rubric.overall_label)}</b> ({rubric.overall_score:.2f} "
            "on a 0-1 scale; Excellent from 0.75, Good from 0.5, Fair from 0.25)"
        )
    out = ["<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"] if items else []
    if cls is not None and score is not None and not (cls.insufficient_text or judged):
        both = score_and_share(score.ai_score, score.threshold, cls.ai_fraction)
        if both:
            out.append(f"<p class='note'>{escape(both)}</p>")
    if cls is not None and cls.reasons and not (judged and cls.label == "Human"):
        out.append(
            "<p><b>Why this label</b></p><ul>"
            + "".join(f"<li>{escape(r)}</li>" for r in cls.reasons)
            + "</ul>"
        )
    out.append(
        "<p class='note'>A flag is a reason to talk with the student, not proof of misconduct.</p>"
    )
    return out


def _html_rubric(rubric: Any) -> list[str]:
    from html import escape

    from aaie.engine.explain import not_scored_words

    if rubric is None or not rubric.criteria:
        return []
    rows = [
        "<h3>Rubric</h3><table><tr><th>Criterion</th><th>Level</th><th>Score (0-1)</th>"
        "<th>Confidence</th><th>Evidence</th></tr>"
    ]
    for c in rubric.criteria:
        evidence = list(c.evidence)
        if c.label is None and c.reason:  # the reason once, in the words every reader sees
            evidence = [not_scored_words(c.reason)] + [e for e in evidence if c.reason not in e]
        elif c.reason and c.maps_to and c.maps_to != c.name:
            evidence.insert(0, f"Scored as {c.maps_to}: {c.reason}")
        rows.append(
            f"<tr><td>{escape(c.name)}</td><td><b>{escape(c.label or 'not scored')}</b></td>"
            f"<td>{'' if c.score is None else f'{c.score:.2f}'}</td>"
            f"<td>{'' if c.confidence is None else f'{c.confidence:.0%}'}</td><td><ul>"
            + "".join(f"<li>{escape(e)}</li>" for e in evidence)
            + "</ul></td></tr>"
        )
    rows.append("</table>")
    rows += [f"<p class='note'>{escape(n)}</p>" for n in rubric.notes]
    return rows


def _source_words(m: Any) -> str:
    if m.source == "prompt":
        return "the assignment prompt"
    who = "AI" if m.role == "ai" else "student"
    return f"chat log turn {m.turn_index + 1} ({who})"


_MATCH_WORDS = {"verbatim": "word for word", "near_verbatim": "nearly word for word",
                "paraphrase": "reworded"}  # fmt: skip


def _html_sources(text: str, sim: Any) -> list[str]:
    from html import escape

    if sim is None or not sim.matches:
        return []
    rows = [
        "<h3>Matched sources</h3><table><tr><th>Passage in the essay</th><th>Source</th>"
        "<th>Match</th></tr>"
    ]
    for m in sim.matches[:25]:
        passage = " ".join(text[m.start : m.end].split())
        passage = passage if len(passage) <= 180 else passage[:180].rsplit(" ", 1)[0] + " …"
        rows.append(
            f"<tr><td>{escape(passage)}</td><td>{escape(_source_words(m))}</td>"
            f"<td>{_MATCH_WORDS.get(m.kind, m.kind)} ({m.score:.0%})</td></tr>"
        )
    rows.append("</table>")
    return rows


def _span_words(span: Any) -> str:
    """A highlight's source in plain words (no internal names such as `chat:1:verbatim`)."""
    from aaie.reports.pdf import HIGHLIGHT_NAMES

    name = HIGHLIGHT_NAMES.get(span.kind, span.kind)
    parts = str(span.source).split(":")
    if parts[0] == "chat" and len(parts) == 3 and parts[1].isdigit():
        how = _MATCH_WORDS.get(parts[2], parts[2])
        return f"{name}: chat log turn {int(parts[1]) + 1}, {how}"
    if span.kind == "ai":
        where = "pasted from the chat log" if span.source == "chat_log" else "the detector"
        return f"{name} ({where}, probability {span.score:.0%})"
    return f"{name} ({span.score:.0%})"


def _marked(text: str, spans: list[Any]) -> str:
    from html import escape

    out, cursor = [], 0
    for s in spans:
        out.append(escape(text[cursor : s.start]))
        out.append(f"<mark class='{s.kind}' title='{escape(_span_words(s))}'>")
        out.append(escape(text[s.start : s.end]) + "</mark>")
        cursor = s.end
    out.append(escape(text[cursor:]))
    return "".join(out)


def redact_cmd(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A .txt, .md, .docx or .pdf file."
    ),
    chat_log: Path | None = typer.Option(None, "--chat-log", exists=True, help="Chat log JSON."),
    as_json: bool = typer.Option(False, "--json", help="Print the entities too, as JSON."),
) -> None:
    """Replace personal data with typed placeholders ([PERSON_1], [EMAIL_1], ...)."""
    from aaie.cli.documents import read_documents
    from aaie.engine.redaction import redact

    result = redact(read_documents([file])[file], _read_chat_log(chat_log))
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        typer.echo(result.redacted_text)

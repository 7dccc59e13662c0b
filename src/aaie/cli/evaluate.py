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


_COLORS = {"ai": "#ffe08a", "prompt_overlap": "#b7d7ff", "chat_overlap": "#ffb3b3"}


def _html_report(results: list[tuple[Path, str, Any]]) -> str:
    from html import escape

    parts = [
        "<!doctype html><meta charset='utf-8'><title>AAIE report</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "pre{white-space:pre-wrap;font-family:inherit;line-height:1.5}"
        + "".join(f"mark.{k}{{background:{c}}}" for k, c in _COLORS.items())
        + "</style><h1>AAIE report</h1>",
        "<p>Legend: " + " ".join(f"<mark class='{k}'>{k}</mark>" for k in _COLORS) + "</p>",
    ]
    for path, text, ev in results:
        sim = ev.similarity
        parts.append(f"<h2>{escape(path.name)}</h2><ul>")
        parts.append(f"<li>Classification: {escape(str(_get(ev.classification, 'label')))}</li>")
        parts.append(f"<li>AI score: {_get(ev.ai_score, 'ai_score')}</li>")
        if sim is not None:
            parts.append(
                f"<li>Similarity: {sim.similarity_pct:.1f} % (prompt {sim.prompt_pct:.1f} %, "
                f"AI chat {sim.chat_pct:.1f} %, own chat turns {sim.user_chat_pct:.1f} %), "
                f"flag: {'yes' if sim.flag else 'no'} at {sim.threshold:.0f} %</li>"
            )
        for stage, why in ev.errors.items():
            parts.append(f"<li>Stage {escape(stage)} failed: {escape(why)}</li>")
        compact = _get(ev.rubric, "compact") or {}
        parts.append(f"<li>Rubric: {escape(json.dumps(compact))}</li></ul>")
        parts.append(f"<pre>{_marked(text, ev.highlights.spans)}</pre>")
        feedback = _get(ev.feedback, "text")
        if feedback:
            parts.append(f"<h3>Feedback</h3><pre>{escape(str(feedback))}</pre>")
    return "\n".join(parts)


def _marked(text: str, spans: list[Any]) -> str:
    from html import escape

    out, cursor = [], 0
    for s in spans:
        out.append(escape(text[cursor : s.start]))
        title = f"{s.kind} {s.source} {s.score:.2f}"
        out.append(f"<mark class='{s.kind}' title='{escape(title)}'>")
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

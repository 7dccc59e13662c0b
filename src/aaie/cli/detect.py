"""`aaie detect FILE…` and `aaie train detector`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # the engine loads inside the command, not when the CLI starts
    from aaie.engine.detection import Classification

DEFAULT_DATA_DIR = Path("..") / "shared" / "data"


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add this module's commands to the `aaie` app (and `aaie train`)."""
    app.command("detect")(detect)
    train_app.command("detector")(train_detector)


def detect(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    prompt: Path | None = typer.Option(None, help="File holding the assignment prompt."),
    chat_log: Path | None = typer.Option(
        None, help='JSON file: [{"role": "user"|"ai", "text": "..."}], applied to every file.'
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full results as JSON lines."),
) -> None:
    """Classify essays (.txt, .md, .docx, .pdf) as Human / AI / Hybrid, with AI score and AI
    share of the text. A file that cannot be read stops the command (exit code 2)."""
    from rich.console import Console
    from rich.progress import track
    from rich.table import Table

    from aaie.cli.documents import read_documents
    from aaie.cli.service import engine_settings
    from aaie.engine.detection import DetectionInputError, classify

    texts = read_documents(files)
    engine_settings()
    prompt_text = prompt.read_text(encoding="utf-8") if prompt else None
    turns = json.loads(chat_log.read_text(encoding="utf-8")) if chat_log else None
    console = Console(stderr=as_json)
    results: list[tuple[Path, Any]] = []
    for path in track(files, description="Detecting", console=console, disable=len(files) < 2):
        try:
            results.append((path, classify(texts[path], prompt_text, turns)))
        except DetectionInputError as exc:
            results.append((path, exc))
    if as_json:
        for path, res in results:
            body = {"error": str(res)} if isinstance(res, Exception) else res.model_dump()
            typer.echo(json.dumps({"file": str(path), **body}))
        return
    table = Table("file", "label", "confidence", "AI score", "AI %", "note")
    for path, res in results:
        if isinstance(res, Exception):
            table.add_row(str(path), "-", "-", "-", "-", f"[red]{res}[/red]")
            continue
        table.add_row(str(path), *_judgement_cells(res))
    console.print(table)
    if any(isinstance(r, Exception) for _, r in results):
        raise typer.Exit(1)


def _judgement_cells(res: Classification) -> tuple[str, str, str, str, str]:
    """Label, confidence, AI score, AI share and note. A text the detector does not judge
    (another language, too short) shows why and no score, as the web views do: a number next
    to "not judged" reads as a verdict."""
    if res.unsupported_language or res.insufficient_text:
        why = (
            f"language not supported ({res.language})"
            if res.unsupported_language
            else "too short to judge"
        )
        return "not judged", "-", "-", "-", why
    return (
        res.label,
        f"{res.confidence:.2f}",
        f"{res.ai_score:.1f} (threshold {res.threshold:.1f})",
        f"{100 * res.ai_fraction:.0f}%",
        _false_positive_note(res),
    )


def _false_positive_note(res: Classification) -> str:
    """How often the label rule marks human writing like this one: out of fold, and from
    sources it was not trained on (what the web verdict and the PDF say, in a table cell)."""
    population = (res.fpr_population or "essays").replace("_", " ")
    note = f"human {population}: {res.fpr_at_threshold:.1%} labelled in validation"
    if res.fpr_held_out is not None:
        note += f", {res.fpr_held_out:.1%} from sources not trained on"
    return note


def train_detector(
    data_dir: Path = typer.Option(DEFAULT_DATA_DIR, help="The shared data folder."),
    out_dir: Path | None = typer.Option(
        None, help="Where to write the artifact (default: the package's artifacts folder)."
    ),
    cache_dir: Path = typer.Option(
        Path("/tmp/detection-cache"), help="Cache for sentence embeddings and features."
    ),
) -> None:
    """Remake the detector artifact deterministically from the shared DEV data."""
    from importlib import resources

    from aaie.engine.detection.build import train

    if not (data_dir / "detect").is_dir():
        raise typer.BadParameter(f"{data_dir} has no detect/ folder", param_hint="--data-dir")
    if importlib.util.find_spec("torch") is None:  # the encoder stage fine-tunes MiniLM
        typer.echo(
            "Training needs the `train` extra (PyTorch), best in a venv of its own: "
            "python3 -m venv .venv-train && .venv-train/bin/pip install -e '.[train]'.",
            err=True,
        )
        raise typer.Exit(2)
    target = out_dir or Path(str(resources.files("aaie.engine.detection") / "artifacts"))
    card = train(data_dir, target, cache_dir, log=typer.echo)
    typer.echo(json.dumps(card, indent=2))

"""`aaie score` (rubric + feedback for essay files) and `aaie train scorer`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

DEFAULT_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "score"


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add this module's commands to the `aaie` app (and `aaie train`)."""

    @app.command("score")
    def score(
        files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Essay files"),
        prompt: Path | None = typer.Option(
            None, "--prompt", exists=True, dir_okay=False, help="File with the assignment prompt"
        ),
        rubric: Path | None = typer.Option(
            None,
            "--rubric",
            exists=True,
            dir_okay=False,
            help="Custom rubric JSON ({'criteria': [...]})",
        ),
        grades: Path | None = typer.Option(
            None,
            "--grades",
            exists=True,
            dir_okay=False,
            help="Your own grades of some of the files, JSON {file name: {criterion or "
            "'overall': 0-1 or a band label}}: with five or more, the other files' scores "
            "follow your scale",
        ),
        feedback: bool = typer.Option(
            True, "--feedback/--no-feedback", help="Also write student feedback"
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per file"),
        llm: bool = typer.Option(False, "--llm", help="Use AAIE_LLM_BASE_URL/MODEL/API_KEY"),
    ) -> None:
        """Score essays (.txt, .md, .docx, .pdf) on the rubric (Structure, Clarity, Relevance,
        AcademicWriting). A file that cannot be read stops the command (exit code 2)."""
        from rich.console import Console

        from aaie.cli.documents import read_documents
        from aaie.cli.service import engine_settings
        from aaie.engine.feedback import generate_feedback
        from aaie.services.engine import provider_from_settings

        console = Console()
        texts = read_documents(files)
        settings = engine_settings()
        prompt_text = prompt.read_text(encoding="utf-8") if prompt else None
        spec = json.loads(rubric.read_text(encoding="utf-8")) if rubric else None
        provider = provider_from_settings(settings) if llm else None
        if llm and provider is None:
            raise typer.BadParameter("--llm needs AAIE_LLM_BASE_URL and AAIE_LLM_MODEL")
        scored = _score_files(texts, prompt_text, spec, provider, quiet=as_json)
        teacher = _read_grades(grades, files) if grades else {}
        for path, (text, analysis, raw) in scored.items():
            result = _calibrated(raw, path, scored, teacher)
            fb = (
                generate_feedback(text, prompt_text, result, analysis=analysis, provider=provider)
                if feedback
                else None
            )
            if as_json:
                out = {
                    "file": str(path),
                    "rubric": result.model_dump(),
                    "feedback": fb.model_dump() if fb else None,
                }
                typer.echo(json.dumps(out, ensure_ascii=False))
            else:
                _print_result(console, path, result, fb.text if fb else None)

    @train_app.command("scorer")
    def train_scorer(
        data_dir: Path = typer.Option(DEFAULT_DATA, help="shared/data/score folder"),
        per_prompt: int = typer.Option(
            2000, help="ASAP essays sampled per prompt (2000 = every essay: the shipped model)"
        ),
        cache_dir: Path = typer.Option(
            Path("/tmp/rubric-cache/emb"), help="Sentence-embedding cache"
        ),
        out: Path | None = typer.Option(None, help="Artifact path (default: inside the package)"),
    ) -> None:
        """Remake the built-in rubric scorer artifact (deterministic)."""
        from rich.progress import Progress

        from aaie.engine.rubric import train

        if not (data_dir / "asap_dev.jsonl").exists():
            raise typer.BadParameter(f"no scoring data in {data_dir}")
        records = train.load_records(data_dir, per_prompt)
        with Progress() as progress:
            task = progress.add_task("features", total=len(records))
            ds = train.build_dataset(
                records, cache_dir, lambda i: progress.update(task, completed=i + 1)
            )
        artifact = train.train_artifact(ds, train.folds_within_prompt(records))
        target = out or Path(train.__file__).parent / "artifacts" / "scorer.pkl"
        train.save_artifact(artifact, target)
        typer.echo(
            f"wrote {target} ({target.stat().st_size / 1e6:.2f} MB) from {len(records)} "
            f"essays; band agreement (out-of-fold): "
            + ", ".join(f"{k} {v:.2f}" for k, v in artifact["confidence"].items())
        )


def _score_files(
    texts: dict[Path, str], prompt_text: str | None, spec: Any, provider: Any, *, quiet: bool
) -> dict[Path, tuple[str, Any, Any]]:
    """(text, analysis, rubric result) per non-empty file, with a progress bar."""
    from rich.console import Console
    from rich.progress import track

    from aaie.engine.analysis import TextAnalysis
    from aaie.engine.rubric import rubric_score

    err = Console(stderr=True)
    out = {}
    for path in track(texts, description="Scoring", console=err, disable=len(texts) < 2 or quiet):
        text = texts[path]
        analysis = TextAnalysis(text)
        result = rubric_score(text, prompt_text, spec, analysis=analysis, provider=provider)
        out[path] = (text, analysis, result)
    return out


def _read_grades(grades: Path, files: list[Path]) -> dict[Path, dict[str, float]]:
    """The --grades file, keyed by the essay files it names (by path as given or file name)."""
    from aaie.engine.rubric.calibration import teacher_score

    try:
        raw = json.loads(grades.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("expected a JSON object {file name: {criterion: grade}}")
        by_name = {str(k): v for k, v in raw.items()}
        out = {}
        for path in files:
            given = by_name.get(str(path), by_name.get(path.name))
            if given is not None:
                out[path] = {str(c): teacher_score(g) for c, g in dict(given).items()}
    except (ValueError, TypeError) as exc:
        raise typer.BadParameter(f"{grades}: {exc}", param_hint="--grades") from None
    return out


def _calibrated(
    raw: Any, path: Path, scored: dict[Path, tuple[str, Any, Any]], teacher: dict[Path, Any]
) -> Any:
    """The result calibrated on the OTHER graded files (a file's own grade never moves its
    own score), as the service does for an assignment."""
    from aaie.engine.rubric.calibration import builtin_scores, calibrate, fit_calibration

    pairs = [
        (builtin_scores(scored[p][2]), grades)
        for p, grades in teacher.items()
        if p != path and p in scored
    ]
    return calibrate(raw, fit_calibration(pairs))


def _print_result(console: Any, path: Path, result: Any, feedback_text: str | None) -> None:
    from rich.table import Table

    table = Table(title=f"{path}  (engine: {result.engine})")
    for col in ("criterion", "label", "score", "evidence"):
        table.add_column(col)
    for c in result.criteria:
        table.add_row(
            c.name,
            c.label or "n/a",
            f"{c.score:.2f}" if c.score is not None else "-",
            "; ".join(c.evidence[:2]) if c.scorable else (c.reason or ""),
        )
    overall = f"{result.overall_score:.2f}" if result.overall_score is not None else "-"
    table.add_row("overall", result.overall_label or "n/a", overall, "")
    console.print(table)
    for note in result.notes:
        console.print(f"[dim]{note}[/dim]")
    if feedback_text:
        console.print(feedback_text + "\n")

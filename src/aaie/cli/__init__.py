"""The `aaie` command line: one Typer app; each area registers its commands from its own module."""

from __future__ import annotations

import typer

from aaie.cli import detect, evaluate, score, service

app = typer.Typer(
    name="aaie",
    help="AAIE: academic AI-integrity evaluation service and engine.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
train_app = typer.Typer(help="Remake the trained artifacts that ship inside the package.")
app.add_typer(train_app, name="train")

for _module in (service, detect, score, evaluate):
    _module.register(app, train_app)


def main() -> None:
    app()

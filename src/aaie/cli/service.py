"""Service commands: serve, migrate, create-admin, version."""

from __future__ import annotations

import typer
from rich.console import Console

from aaie import __version__

console = Console()


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    app.command("version")(version)


def version() -> None:
    """Print the AAIE version."""
    console.print(f"aaie {__version__}")

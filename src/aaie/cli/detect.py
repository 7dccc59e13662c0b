"""CLI commands of this engine area (filled in by its issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add this module's commands to the `aaie` app (and `aaie train`)."""

"""Import history, rollback, restore, statistics and export commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """History commands are added here."""

"""Lead and activity commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Lead and activity commands are added here."""

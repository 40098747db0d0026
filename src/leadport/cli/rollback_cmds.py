"""Rollback, restore and the purge of kept rollback data."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Rollback commands are added here."""

"""Whole-database snapshots, to show that an operation changed nothing (or exactly something)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select

from leadport.db.schema import metadata


def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every leadport table, in a stable order."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(
                    (tuple(repr(v) for v in row) for row in conn.execute(select(table))), key=repr
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()

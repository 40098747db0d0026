"""Whole-database snapshots, to show that an operation changed nothing (or exactly something)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import create_engine, select

from leadport.db.schema import metadata

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(database_url: str, ignore: Mapping[str, set[str]] | None = None) -> Snapshot:
    """Every row of every leadport table, in a stable order.

    `ignore` leaves columns out, per table ({"imports": {"backup_path"}}); a table mapped to
    {"*"} is left out whole.
    """
    ignore = ignore or {}
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            shot: Snapshot = {}
            for table in metadata.sorted_tables:
                skip = ignore.get(table.name, set())
                if "*" in skip:
                    continue
                columns = [c for c in table.columns if c.name not in skip]
                rows = conn.execute(select(*columns))
                shot[table.name] = sorted((tuple(repr(v) for v in row) for row in rows), key=repr)
            return shot
    finally:
        engine.dispose()

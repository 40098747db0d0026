"""The first row of each identifier seen in this file, in a temporary table.

A million-row file has a million keys; keeping them in the database rather than in a Python
dict keeps the import's memory flat whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from leadport.db.bulk import bulk_insert
from leadport.db.engine import is_sqlite
from leadport.db.lead_lookups import select_in


class SeenKeys:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        if is_sqlite(conn):
            conn.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS lp_seen (key TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID"
            )
            conn.exec_driver_sql("DELETE FROM lp_seen")
        else:
            conn.exec_driver_sql("DROP TABLE IF EXISTS lp_seen")
            conn.exec_driver_sql(
                "CREATE TEMP TABLE lp_seen (key TEXT PRIMARY KEY, row INTEGER) ON COMMIT DROP"
            )

    def first_rows(self, keys: Sequence[str]) -> dict[str, int]:
        return dict(select_in(self.conn, "SELECT key, row FROM lp_seen WHERE key {IN}", (), keys))  # type: ignore[arg-type]

    def add(self, first_rows: dict[str, int]) -> None:
        bulk_insert(self.conn, "lp_seen", ("key", "row"), list(first_rows.items()))

"""Bulk inserts in two halves: load the rows now, put them in the real table later in one statement.

Inserting into an indexed table is where an import's database time goes (the unique email and
LinkedIn indexes, the name index). Rows are first loaded into a bare temporary twin of the table
(no index, no constraint: executemany or COPY cost little there), in the importing thread; the
move into the real table is then one `INSERT … SELECT` with no Python in it, which the import runs
in the background (services/write_behind.py) while it builds the next batch: the driver lets go
of the GIL for the whole statement.

The twin lives in the temporary schema of the import's own connection, so no other connection
sees it; it is emptied after each move and vanishes with the transaction on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection

from leadport.db.bulk import bulk_insert, json_each_insert
from leadport.db.engine import is_sqlite


class StagedTable:
    def __init__(self, conn: Connection, table: str, columns: Sequence[str]) -> None:
        self.conn = conn
        self.table = table
        self.columns = tuple(columns)
        self.twin = f"lp_stage_{table}"
        self._ready = False
        self._loaded = False

    def load(self, rows: Sequence[Sequence[Any]]) -> None:
        """Now: the rows into the twin (in this order, which the move keeps)."""
        if not rows:
            return
        self._create()
        bulk_insert(self.conn, self.twin, self.columns, rows)
        self._loaded = True

    def move(self) -> None:
        """Later: everything loaded since the last move into the real table, then empty the twin."""
        if not self._loaded:
            return
        self._loaded = False
        cols = ", ".join(self.columns)
        dbapi = _dbapi(self.conn)
        cur = dbapi.cursor()
        try:
            cur.execute(
                f"INSERT INTO {self.table} ({cols}) SELECT {cols} FROM {self.twin} ORDER BY rid"
            )
            cur.execute(f"DELETE FROM {self.twin}")
        finally:
            cur.close()

    def _create(self) -> None:
        if self._ready:
            return
        cols = ", ".join(self.columns)
        if is_sqlite(self.conn):
            # Columns without a type keep what was bound as it was; the real table's types apply
            # on the move, exactly as on a direct insert.
            self.conn.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS {self.twin} (rid INTEGER PRIMARY KEY, {cols})"
            )
            self.conn.exec_driver_sql(f"DELETE FROM {self.twin}")
        else:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.twin}")
            self.conn.exec_driver_sql(
                f"CREATE TEMP TABLE {self.twin} ON COMMIT DROP AS "
                f"SELECT {cols} FROM {self.table} WITH NO DATA"
            )
            self.conn.exec_driver_sql(
                f"ALTER TABLE {self.twin} ADD COLUMN rid bigint GENERATED ALWAYS AS IDENTITY"
            )
        self._ready = True


def json_each_later(
    conn: Connection,
    table: str,
    constants: dict[str, Any],
    columns: Sequence[str],
    rows: Sequence[Sequence[int | str | None]],
) -> Callable[[], None]:
    """SQLite: the rows encoded now, inserted later in one statement (see db/bulk.py)."""
    sql, params = json_each_insert(table, constants, columns, rows)

    def insert() -> None:
        _dbapi(conn).execute(sql, params)

    return insert


def _dbapi(conn: Connection) -> Any:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    return dbapi

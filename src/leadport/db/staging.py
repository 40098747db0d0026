"""Bulk inserts in two halves: prepare the rows now, insert them later in one long statement.

Inserting into the indexed tables is most of an import's database time. The import runs the
second half in a background thread (services/write_behind.py) while it builds the next batch;
the drivers let go of the GIL while the database works, so the two overlap. The second half must
be one statement, not one per row: a thread that takes the GIL back after every row waits each
time for the thread that builds rows to give it up.

- SQLite, wide rows (leads): loaded now into a bare temporary twin of the table (no index, no
  constraint: executemany is cheap there), moved later by one `INSERT … SELECT`.
- SQLite, narrow rows: encoded now as one JSON array, inserted later through `json_each`.
- PostgreSQL: the rows encoded now as one JSON array (the C encoder: no row is formatted in
  Python), inserted later by one `INSERT … SELECT (value->>0)::type, … FROM
  jsonb_array_elements(%s)`: the server parses the batch once (jsonb) and indexes into it.

The twin lives in the temporary schema of the import's own connection, so no other connection
sees it; it is emptied after each move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial
from itertools import chain
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql

from leadport.db.bulk import as_json_rows, json_each_insert
from leadport.db.engine import is_sqlite
from leadport.db.schema import metadata

Later = Callable[[], None]


class StagedTable:
    """SQLite: a table's bare temporary twin, loaded a batch at a time and moved in one go."""

    def __init__(self, conn: Connection, table: str, columns: Sequence[str]) -> None:
        self.conn = conn
        self.table = table
        self.columns = tuple(columns)
        self.twin = f"lp_stage_{table}"
        self._ready = False

    def load(self, constants: dict[str, Any], rows: Sequence[Sequence[Any]]) -> Later:
        """Now: the rows into the twin. Returns the move (`constants` on every row), for later."""
        if not self._ready:
            # Columns without a type keep what was bound as it was; the real table's types apply
            # on the move, exactly as on a direct insert.
            cols = ", ".join(self.columns)
            self.conn.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS {self.twin} (rid INTEGER PRIMARY KEY, {cols})"
            )
            self.conn.exec_driver_sql(f"DELETE FROM {self.twin}")
            self._ready = True
        _load(_dbapi(self.conn), self.twin, self.columns, rows)
        return partial(self._move, constants)

    def _move(self, constants: dict[str, Any]) -> None:
        names = ", ".join((*constants, *self.columns))
        picks = ", ".join(["?"] * len(constants) + list(self.columns))
        cur = _dbapi(self.conn).cursor()
        try:
            cur.execute(
                f"INSERT OR FAIL INTO {self.table} ({names}) SELECT {picks} FROM {self.twin} ORDER BY rid",
                tuple(constants.values()),
            )
            cur.execute(f"DELETE FROM {self.twin}")
        finally:
            cur.close()


# Rows per statement of a twin's load: `executemany` binds and steps one statement per item,
# and a statement of 50 rows costs less than 50 statements of one (958,716 lead rows: see
# docs/performance.md). 50 × 13 columns stays far below SQLite's limit of 32,766 parameters.
ROWS_PER_LOAD = 50


def _load(dbapi: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """SQLite: the rows into a bare table, in order, `ROWS_PER_LOAD` rows a statement."""
    if not rows:
        return
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    whole = len(rows) - len(rows) % ROWS_PER_LOAD
    if whole:
        dbapi.executemany(
            head + ", ".join([one] * ROWS_PER_LOAD),
            [
                list(chain.from_iterable(rows[i : i + ROWS_PER_LOAD]))
                for i in range(0, whole, ROWS_PER_LOAD)
            ],
        )
    if rest := rows[whole:]:
        dbapi.execute(head + ", ".join([one] * len(rest)), list(chain.from_iterable(rest)))


def insert_later(
    conn: Connection,
    table: str,
    constants: dict[str, Any],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> Later:
    """Rows (`constants` the same on every row; values are ints, strings or None), inserted by
    the call this returns: json_each on SQLite (narrow rows only: see db/bulk.py), jsonb on
    PostgreSQL (any width)."""
    if not is_sqlite(conn):
        return insert_later_encoded(conn, table, constants, columns, as_json_rows(rows))
    return _later(conn, *json_each_insert(table, constants, columns, rows))


def insert_later_encoded(
    conn: Connection,
    table: str,
    constants: dict[str, Any],
    columns: Sequence[str],
    json_rows: str,
) -> Later:
    """PostgreSQL: `insert_later` for rows already encoded as one JSON array of arrays."""
    sql = _jsonb_insert(table, tuple(constants), tuple(columns))
    return _later(conn, sql, (*constants.values(), json_rows))


def _later(conn: Connection, sql: str, params: tuple[Any, ...]) -> Later:
    def insert() -> None:
        cur = _dbapi(conn).cursor()
        try:
            cur.execute(sql, params)
        finally:
            cur.close()

    return insert


@cache
def _jsonb_insert(table: str, constants: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """INSERT … SELECT %s::type…, (value->>0)::type… FROM jsonb_array_elements(%s::jsonb)."""
    dialect = postgresql.dialect()
    types = metadata.tables[table].c
    picks = [f"%s::{types[c].type.compile(dialect=dialect)}" for c in constants]
    picks += [
        f"(value->>{i})::{types[c].type.compile(dialect=dialect)}" for i, c in enumerate(columns)
    ]
    return (
        f"INSERT INTO {table} ({', '.join((*constants, *columns))}) "
        f"SELECT {', '.join(picks)} FROM jsonb_array_elements(%s::jsonb)"
    )


def _dbapi(conn: Connection) -> Any:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    return dbapi

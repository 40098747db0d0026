"""Engines for SQLite (embedded default, WAL) and PostgreSQL, and the two kinds of transaction.

SQLite allows one writer: a write transaction starts with BEGIN IMMEDIATE so that an import
takes the write lock before it reads the leads it decides on (no other import can slip in
between). Reads use plain BEGIN and, under WAL, never wait for a running import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from leadport.config import Settings

WRITE = "leadport_write"

# Bytes per page of a new SQLite database (SQLite's default is 4,096). The commit of a big
# import copies its whole WAL into the database a page at a time, and larger pages mean a
# quarter of the calls: a 1M-row import's commit fell from 2.1–2.7 s to 1.3–1.4 s, and its
# kernel time from 4.4–5.6 s to 3.3 s (docs/performance.md).
PAGE_SIZE = 16_384


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(settings: Settings, *, url: str | None = None) -> Engine:
    url = url or settings.resolved_database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, settings)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True, future=True)


def _sqlite_engine(url: str, settings: Settings) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 0})
    busy_ms = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        # First: the pragmas below take locks too, and another process may hold one (the
        # driver's own timeout is 0, so without this they would fail at once as locked).
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        # Takes effect only on a database with no table yet (a new data folder); an existing
        # one keeps its pages. See PAGE_SIZE.
        cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: big imports spill less
        cur.execute("PRAGMA temp_store=FILE")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that may write; on SQLite it holds the write lock from its first statement."""
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def import_connection(conn: Connection) -> Iterator[Connection]:
    """SQLite: the connection of an import, with foreign keys left unchecked until it ends.

    An import's big statements (`INSERT … SELECT` of a batch's leads, memberships and outcome
    rows: db/staging.py) could stop halfway on a failed check, so SQLite would keep a statement
    journal for each: a copy of every page the statement changes, written to a temporary file
    (at a million rows, about 4 million writes and 3 s of system time). With `OR FAIL` on those
    statements and no foreign-key checks, no statement can need undoing on its own, and none is
    kept. Nothing is lost: every reference an import writes is to a row it created or read in
    the same transaction, under the single writer lock; PostgreSQL checks them all, and the test
    suite runs on both. Must be entered before the transaction begins (SQLite ignores the pragma
    inside one); the checks are back on when it ends.
    """
    if not is_sqlite(conn):
        yield conn
        return
    dbapi: Any = conn.connection.dbapi_connection
    dbapi.execute("PRAGMA foreign_keys=OFF")
    try:
        yield conn
    finally:
        dbapi.execute("PRAGMA foreign_keys=ON")


def lock_workspace(conn: Connection, workspace_id: int) -> None:
    """Serialize lead-creating work per workspace on PostgreSQL (SQLite already has one writer)."""
    if not is_sqlite(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 7_000_000 + workspace_id})

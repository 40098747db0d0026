"""Alembic environment: runs against the engine handed over by leadport.db.migrate.

Migrations take the write lock first (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock) so
that several processes starting on a new database at once migrate it exactly once.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from leadport.config import get_settings
from leadport.db.engine import WRITE, is_sqlite, make_engine
from leadport.db.schema import metadata

config = context.config
engine = config.attributes.get("engine") or make_engine(get_settings())

with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
    if not is_sqlite(connection):
        connection.execute(text("SELECT pg_advisory_xact_lock(6000001)"))
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=is_sqlite(connection),
        transactional_ddl=True,
    )
    context.run_migrations()

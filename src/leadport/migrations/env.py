"""Alembic environment: runs against the engine handed over by leadport.db.migrate."""

from __future__ import annotations

from alembic import context

from leadport.config import get_settings
from leadport.db.engine import make_engine
from leadport.db.schema import metadata

config = context.config
engine = config.attributes.get("engine") or make_engine(get_settings())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

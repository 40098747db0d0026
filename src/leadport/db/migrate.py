"""Bring a database to the newest schema with Alembic (the migrations ship inside the package).

Every command opens the database through here, so the check that it is current does not load
Alembic (≈ 0.2 s of a command's start): it reads the revision row and compares it with `HEAD`.
Alembic is imported only to migrate. A test holds `HEAD` to the newest migration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0004"  # the newest revision in leadport/migrations/versions


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "leadport:migrations")
    cfg.attributes["engine"] = engine
    return cfg


def is_current(engine: Engine) -> bool:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            HEAD
        ]


def upgrade(engine: Engine) -> None:
    if not is_current(engine):
        from alembic import command

        command.upgrade(alembic_config(engine), "head")

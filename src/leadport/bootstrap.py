"""The one place that wires concrete parts: settings → engine (migrated) → services' needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from leadport.config import Settings, get_settings
from leadport.db.engine import make_engine, write_transaction
from leadport.db.migrate import upgrade
from leadport.services.directory import ensure_default_workspace


@dataclass(frozen=True)
class App:
    settings: Settings
    engine: Engine


def build(settings: Settings | None = None) -> App:
    """Open the configured database, migrate it, and make sure the default workspace exists."""
    settings = settings or get_settings()
    engine = make_engine(settings)
    upgrade(engine)
    with write_transaction(engine) as conn:
        ensure_default_workspace(conn)
    return App(settings, engine)

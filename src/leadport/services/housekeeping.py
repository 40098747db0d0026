"""Periodic upkeep in every long-running process (`serve`, `worker`): purge what rollbacks kept
for restore once the retention period is over, so no cron job is needed for it.

`leadport purge` does the same once, for deployments that prefer their own scheduler. Several
processes may run this at once: the purge locks the imports it takes (PostgreSQL: skipping those
another process holds; SQLite: one writer at a time), so each import is purged once.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from leadport.config import Settings
from leadport.services.restore import purge_rollback_data

log = logging.getLogger("leadport.housekeeping")


def run_housekeeping(engine: Engine, settings: Settings) -> list[int]:
    """One round; returns the imports whose restore data was purged. Never raises: the next
    round tries again."""
    try:
        purged = purge_rollback_data(engine, settings)
    except Exception:
        log.exception("purging restore data failed; the next round will try again")
        return []
    if purged:
        log.info(
            "purged the restore data of rolled-back imports %s (retention: %s days)",
            ", ".join(map(str, purged)),
            settings.restore_retention_days,
        )
    return purged


class Housekeeper:
    """A daemon thread: a round at start, then one every housekeeping_interval_seconds."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="leadport-housekeeping", daemon=True
        )

    def start(self) -> None:
        if self.settings.housekeeping_interval_seconds > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=35)

    def _loop(self) -> None:
        while not self._stop.is_set():
            run_housekeeping(self.engine, self.settings)
            self._stop.wait(self.settings.housekeeping_interval_seconds)

"""Which queue runs the imports: the embedded thread on SQLite, procrastinate on PostgreSQL."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine

from leadport.config import Settings
from leadport.db.engine import is_sqlite
from leadport.services.jobs import JobQueue


class RunnableQueue(JobQueue, Protocol):
    worker_name: str

    def prepare(self) -> None:
        """Make the queue usable for enqueueing (procrastinate's tables on PostgreSQL)."""

    def start(self) -> bool:
        """Prepare the queue in a serving process; True when a worker now runs in it."""

    def stop(self, timeout: float = 30.0) -> None: ...


def make_queue(engine: Engine, settings: Settings) -> RunnableQueue:
    if is_sqlite(engine):
        from leadport.services.queue.embedded import EmbeddedQueue

        return EmbeddedQueue(engine, settings)
    from leadport.services.queue.pg import ProcrastinateQueue

    return ProcrastinateQueue(engine, settings)

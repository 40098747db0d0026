"""Is the worker of a running import alive? Its heartbeat says so; silence re-queues the import.

A job writes a heartbeat (and its progress) beside its import every few seconds, from another
connection than the import's own. An import `running` whose heartbeat is older than
`job_stale_seconds` lost its worker (killed, machine gone): its transaction died with it, so
nothing of it was kept, and it is queued again, or failed with the reason once it has been
interrupted `job_max_attempts` times. Each interruption is kept in the audit trail, which is
also how the attempts are counted.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, func, insert, select, update

from leadport.config import Settings
from leadport.db.bulk import utcnow
from leadport.db.engine import write_transaction
from leadport.db.schema import audit_entries, imports
from leadport.domain.model import ImportState
from leadport.services.jobs import Claim, JobQueue, LiveProgress

log = logging.getLogger("leadport.jobs")
INTERRUPTED = "import_interrupted"


def write_heartbeat(engine: Engine, import_id: int, worker: str, live: LiveProgress) -> None:
    """The worker is alive, and this far: written beside the import, never inside it."""
    with write_transaction(engine) as conn:
        conn.execute(
            update(imports)
            .where(
                imports.c.id == import_id,
                imports.c.state == ImportState.RUNNING,
                imports.c.worker == worker[:200],
            )
            .values(
                heartbeat_at=utcnow(),
                rows_done=live.rows_done,
                progress_done=live.done,
                progress_total=live.total,
            )
        )


class Heartbeat:
    """A thread writing the heartbeat every `interval` seconds while one import runs."""

    def __init__(self, engine: Engine, job: Claim, live: LiveProgress, interval: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat,
            args=(engine, job, live, interval),
            name=f"heartbeat-{job.import_id}",
            daemon=True,
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self, engine: Engine, job: Claim, live: LiveProgress, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                write_heartbeat(engine, job.import_id, job.worker, live)
            except Exception:  # a missed beat is retried at the next one
                log.warning("heartbeat of import %s failed", job.import_id, exc_info=True)


def recover_stale(
    engine: Engine, settings: Settings, queue: JobQueue, *, every_running: bool = False
) -> list[int]:
    """Re-queue (or fail, past the attempts) imports whose worker stopped beating.

    `every_running`: the caller knows no worker can be alive (the embedded worker at start).
    """
    cutoff = utcnow() - timedelta(seconds=settings.job_stale_seconds)
    stmt = select(
        imports.c.id, imports.c.workspace_id, imports.c.worker, imports.c.heartbeat_at
    ).where(imports.c.state == ImportState.RUNNING)
    if not every_running:
        stmt = stmt.where((imports.c.heartbeat_at.is_(None)) | (imports.c.heartbeat_at < cutoff))
    recovered = []
    with write_transaction(engine) as conn:
        if conn.dialect.name != "sqlite":
            stmt = stmt.with_for_update(skip_locked=True)
        for import_id, workspace_id, worker, beat in conn.execute(stmt).all():
            _recover_one(conn, settings, queue, import_id, workspace_id, worker, beat)
            recovered.append(import_id)
    if recovered:
        queue.wake()
    return recovered


def _recover_one(
    conn: Connection,
    settings: Settings,
    queue: JobQueue,
    import_id: int,
    workspace_id: int,
    worker: str | None,
    beat: datetime | None,
) -> None:
    runs = (
        1
        + conn.execute(
            select(func.count())
            .select_from(audit_entries)
            .where(audit_entries.c.action == INTERRUPTED, audit_entries.c.subject == str(import_id))
        ).scalar_one()
    )
    conn.execute(
        insert(audit_entries).values(
            workspace_id=workspace_id,
            member_id=None,
            action=INTERRUPTED,
            subject=str(import_id),
            detail={
                "worker": worker,
                "last_heartbeat": beat.isoformat() if beat else None,
                "run": runs,
            },
            at=utcnow(),
        )
    )
    where = imports.c.id == import_id
    if runs >= settings.job_max_attempts:
        reason = (
            f"The worker running this import ({worker or 'unknown'}) stopped responding, {runs} times; "
            "nothing of it was kept. Check the workers' logs, then import the file again."
        )
        conn.execute(
            update(imports)
            .where(where)
            .values(state=ImportState.FAILED, error=reason, finished_at=utcnow(), heartbeat_at=None)
        )
        log.error("import %s failed: %s", import_id, reason)
        return
    conn.execute(
        update(imports)
        .where(where)
        .values(state=ImportState.QUEUED, worker=None, heartbeat_at=None)
    )
    queue.enqueue(conn, import_id)
    log.warning(
        "import %s re-queued: worker %s stopped responding (run %s)", import_id, worker, runs
    )

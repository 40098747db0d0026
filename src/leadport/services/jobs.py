"""Imports as background jobs. The import row's state is the truth; every job is idempotent.

    queued → running → completed | failed | cancelled        (rolled_back later, by a rollback)

A job first claims its import (queued → running) in a short transaction of its own, so a job
delivered twice, or a second job for one import, finds nothing to claim. The import then runs
in run_import's single transaction: when it fails, is cancelled or its process dies, that
transaction rolls back whole and the row says why (written separately). A worker that died
leaves its import `running` with a heartbeat that stopped: `recover_stale` re-queues it, up to
`job_max_attempts` runs (each interruption is kept in the audit trail), then fails it with the
reason (`queue/liveness.py`). Where the queue lives (a thread on SQLite, procrastinate on
PostgreSQL) is `queue/`.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, insert, select, update

from leadport.config import Settings
from leadport.db.bulk import utcnow
from leadport.db.engine import read_transaction, write_transaction
from leadport.db.schema import imports
from leadport.domain.model import ImportState
from leadport.domain.options import ImportOptions
from leadport.errors import ConflictError, LeadportError
from leadport.services import dry_runs, mailer
from leadport.services.imports import ImportCancelledError, ImportRequest, run_import
from leadport.services.uploads import remove_upload

log = logging.getLogger("leadport.jobs")

FINAL_STATES = frozenset({ImportState.COMPLETED, ImportState.FAILED, ImportState.CANCELLED})


@dataclass
class LiveProgress:
    """A running import's progress as its worker last saw it (rows, and bytes or rows read)."""

    rows_done: int = 0
    done: int = 0
    total: int | None = None
    cancel_requested: bool = False


class JobQueue(Protocol):
    """Where queued imports wait for a worker; the SQLite and PostgreSQL queues both fit."""

    def enqueue(self, conn: Connection, import_id: int) -> None:
        """Called inside the transaction that creates (or re-queues) the import row."""

    def wake(self) -> None:
        """Called after that transaction committed: a local worker may start at once."""

    def request_cancel(self, engine: Engine, import_id: int) -> str:
        """Cancel a queued import, or ask its worker to stop between two batches; the state now."""

    def live_progress(self, import_id: int) -> LiveProgress | None:
        """Progress known in this process (SQLite: the import holds the write lock)."""


CANCEL, SHUTDOWN = "cancel", "shutdown"


class RunControl:
    """The observer given to run_import: keeps progress and, between batches, says whether to
    stop and why: a member's cancel (the import ends cancelled) or a worker shutting down (it
    goes back to the queue)."""

    def __init__(
        self, stop_reason: Callable[[], str | None] = lambda: None, live: LiveProgress | None = None
    ) -> None:
        self.live = live or LiveProgress()
        self.reason: str | None = None
        self._stop_reason = stop_reason

    def progress(self, rows_done: int, done: int, total: int | None) -> None:
        self.live.rows_done, self.live.done, self.live.total = rows_done, done, total

    def cancelled(self) -> bool:
        self.reason = CANCEL if self.live.cancel_requested else self._stop_reason()
        return self.reason is not None


@dataclass(frozen=True)
class Claim:
    import_id: int
    workspace_id: int
    member_id: int | None
    options: ImportOptions
    file_path: str | None
    worker: str


@dataclass(frozen=True)
class NewUpload:
    workspace_id: int
    member_id: int
    options: ImportOptions
    path: Path
    source: str
    sha256: str | None = None
    size: int | None = None


def create_upload_import(engine: Engine, queue: JobQueue, upload: NewUpload) -> int:
    """The queued import row and its job, in one transaction: a job exists exactly when its import does."""
    from leadport.services import directory

    opts = upload.options
    with write_transaction(engine) as conn:
        campaign = (
            directory.find_campaign(conn, upload.workspace_id, opts.campaign)
            if opts.campaign
            else None
        )
        pk = conn.execute(
            insert(imports).values(
                workspace_id=upload.workspace_id,
                member_id=upload.member_id,
                campaign_id=campaign.id if campaign else None,
                source=upload.source,
                file_name=opts.file_name,
                file_path=str(upload.path),
                file_sha256=upload.sha256,
                options=opts.model_dump(mode="json"),
                state=ImportState.QUEUED,
                dry_run=opts.dry_run,
                rows_done=0,
                progress_done=0,
                progress_total=upload.size if upload.source == "csv" else None,
                created_at=utcnow(),
            )
        ).inserted_primary_key
        assert pk is not None
        import_id = int(pk[0])
        queue.enqueue(conn, import_id)
    queue.wake()
    return import_id


def claim(engine: Engine, import_id: int, worker: str) -> Claim | None:
    """Take a queued import for this worker; None when it is not queued (any more)."""
    now = utcnow()
    with write_transaction(engine) as conn:
        taken = conn.execute(
            update(imports)
            .where(imports.c.id == import_id, imports.c.state == ImportState.QUEUED)
            .values(
                state=ImportState.RUNNING,
                worker=worker[:200],
                heartbeat_at=now,
                started_at=now,
                error=None,
            )
        ).rowcount
        if taken != 1:
            return None
        row = conn.execute(select(imports).where(imports.c.id == import_id)).one()._mapping
    return Claim(
        import_id,
        row["workspace_id"],
        row["member_id"],
        ImportOptions.model_validate(row["options"]),
        row["file_path"],
        worker,
    )


def run_claimed(
    engine: Engine, settings: Settings, queue: JobQueue, job: Claim, control: RunControl
) -> str:
    """Run a claimed import to its final state; never raises (the row says what happened)."""
    path = Path(job.file_path) if job.file_path else None
    if path is None or not path.is_file():
        finish(
            engine,
            job.import_id,
            ImportState.FAILED,
            f"The uploaded file is not reachable from worker {job.worker} ({path}): the API and the "
            "workers must share LEADPORT_DATA_DIR.",
        )
        return ImportState.FAILED
    request = ImportRequest(
        job.workspace_id, job.member_id, job.options, path=path, import_id=job.import_id
    )
    state, error = _run(engine, settings, request, control)
    if state == ImportState.QUEUED:
        requeue(engine, queue, job.import_id)
        return state
    if state == ImportState.COMPLETED:
        _final_progress(engine, job.import_id, control.live)
    else:
        finish(engine, job.import_id, state, error)
    mailer.enqueue_report(engine, settings, job.import_id)
    remove_upload(path)
    return state


def _run(
    engine: Engine, settings: Settings, request: ImportRequest, control: RunControl
) -> tuple[str, str | None]:
    spool = tempfile.TemporaryFile("w+", encoding="utf-8") if request.options.dry_run else None  # noqa: SIM115
    try:
        result = run_import(
            engine,
            settings,
            request,
            observer=control,
            row_sink=dry_runs.spooler(spool) if spool else None,
        )
        if spool is not None:
            dry_runs.store_report(engine, result, spool)
        return ImportState.COMPLETED, None
    except ImportCancelledError:
        if control.reason == SHUTDOWN:
            return ImportState.QUEUED, None
        return ImportState.CANCELLED, "Cancelled on request; nothing of it was kept."
    except LeadportError as exc:
        return ImportState.FAILED, exc.message
    except Exception as exc:  # the row must say why; the log keeps the traceback
        log.exception("import %s failed", request.import_id)
        return (
            ImportState.FAILED,
            f"Unexpected error ({type(exc).__name__}): {exc}. Nothing of it was kept.",
        )
    finally:
        if spool is not None:
            spool.close()


def _final_progress(engine: Engine, import_id: int, live: LiveProgress) -> None:
    with write_transaction(engine) as conn:
        conn.execute(
            update(imports)
            .where(imports.c.id == import_id)
            .values(
                progress_done=live.total if live.total is not None else live.done,
                progress_total=live.total,
                heartbeat_at=None,
            )
        )


def requeue(engine: Engine, queue: JobQueue, import_id: int) -> None:
    """Put back an import its worker gave up while shutting down; another worker takes it."""
    with write_transaction(engine) as conn:
        conn.execute(
            update(imports)
            .where(imports.c.id == import_id, imports.c.state == ImportState.RUNNING)
            .values(state=ImportState.QUEUED, worker=None, heartbeat_at=None)
        )
        queue.enqueue(conn, import_id)
    queue.wake()


def finish(engine: Engine, import_id: int, state: str, error: str | None) -> bool:
    """Record a final state reached outside the import's own transaction (failed, cancelled)."""
    with write_transaction(engine) as conn:
        done = conn.execute(
            update(imports)
            .where(
                imports.c.id == import_id,
                imports.c.state.in_([ImportState.QUEUED, ImportState.RUNNING]),
            )
            .values(state=state, error=error, finished_at=utcnow(), heartbeat_at=None)
        ).rowcount
    return done == 1


def cancel(engine: Engine, queue: JobQueue, workspace_id: int, import_id: int) -> str:
    """Cancel a queued import, or ask the worker running one to stop; returns the state now."""
    from leadport.services.report import import_record

    with read_transaction(engine) as conn:
        state = import_record(conn, import_id, workspace_id)["state"]
    if state not in (ImportState.QUEUED, ImportState.RUNNING):
        raise ConflictError(
            f"Import {import_id} is {state}: only a queued or running import can be cancelled."
        )
    return queue.request_cancel(engine, import_id)


def cancel_queued(engine: Engine, import_id: int) -> bool:
    """Cancel an import that no worker has started; False when it is no longer queued."""
    with write_transaction(engine) as conn:
        path = conn.execute(select(imports.c.file_path).where(imports.c.id == import_id)).scalar()
        done = conn.execute(
            update(imports)
            .where(imports.c.id == import_id, imports.c.state == ImportState.QUEUED)
            .values(
                state=ImportState.CANCELLED,
                error="Cancelled before it started.",
                finished_at=utcnow(),
            )
        ).rowcount
    if done:
        remove_upload(path)
    return done == 1


def queued_ids(engine: Engine) -> list[int]:
    """Queued imports, oldest first: what the embedded worker takes from the imports table."""
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(imports.c.id)
            .where(imports.c.state == ImportState.QUEUED, imports.c.file_path.is_not(None))
            .order_by(imports.c.id)
        )
        return [int(r[0]) for r in rows]

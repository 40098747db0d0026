"""The PostgreSQL queue: procrastinate, with each job deferred in the transaction of its import.

The API defers the job on the very connection (and transaction) that inserts the queued import
row, through procrastinate's `connection=` option: a job exists exactly when its import does.
`leadport worker` processes, on any number of machines, run procrastinate workers. Each job
claims its import, writes a heartbeat and its progress beside it from another connection, and
watches procrastinate's abort flag, which is how a member's cancel reaches it. Each worker also
re-queues the imports of workers whose heartbeat stopped (`liveness.recover_stale`), and sends the
emailed reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from typing import Any

import procrastinate
from procrastinate.job_context import AbortReason, JobContext
from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from leadport.config import Settings
from leadport.db.engine import write_transaction
from leadport.domain.model import ImportState
from leadport.services import jobs, mailer
from leadport.services.housekeeping import Housekeeper
from leadport.services.jobs import LiveProgress, RunControl
from leadport.services.queue.liveness import Heartbeat, recover_stale

log = logging.getLogger("leadport.jobs")
TASK = "leadport.run_import"
QUEUE = "imports"
SCHEMA_LOCK = 7_100_000


def libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(engine: Engine) -> None:
    """Create procrastinate's tables on first use, once, however many processes start together."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK})
        try:
            if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
                dbapi = conn.connection.driver_connection
                assert dbapi is not None
                dbapi.execute(SchemaManager.get_schema())
            conn.commit()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK})
            conn.commit()


class ProcrastinateQueue:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.worker_name = f"worker@{socket.gethostname()}:{os.getpid()}"
        conninfo = libpq_url(settings.resolved_database_url)
        # The worker's app runs jobs on its own async pool; deferring and cancelling always happen
        # on a connection the caller gives (inside its transaction), through a never-opened sync app.
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4)
        )
        self.app.task(name=TASK, queue=QUEUE, pass_context=True)(self._run_job)
        self._on_connection = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo)
        )

    # -- the JobQueue protocol ---------------------------------------------------------------
    def enqueue(self, conn: Connection, import_id: int) -> None:
        driver = conn.connection.driver_connection
        self._on_connection.configure_task(TASK, queue=QUEUE, connection=driver).defer(
            import_id=import_id
        )

    def wake(self) -> None:
        """Workers hear of new jobs through procrastinate's LISTEN/NOTIFY."""

    def request_cancel(self, engine: Engine, import_id: int) -> str:
        if jobs.cancel_queued(engine, import_id):
            self._cancel_jobs(import_id, ("todo",), abort=False)
            return ImportState.CANCELLED
        self._cancel_jobs(import_id, ("doing",), abort=True)
        return ImportState.RUNNING

    def live_progress(self, import_id: int) -> LiveProgress | None:
        """Progress is on the import row: the heartbeat writes it there."""
        return None

    def _cancel_jobs(self, import_id: int, statuses: tuple[str, ...], *, abort: bool) -> None:
        with write_transaction(self.engine) as conn:
            ids = conn.execute(
                text(
                    "SELECT id FROM procrastinate_jobs WHERE task_name = :task AND status::text = ANY(:st) "
                    "AND args->>'import_id' = :id"
                ),
                {"task": TASK, "st": list(statuses), "id": str(import_id)},
            ).scalars()
            driver = conn.connection.driver_connection
            for job_id in list(ids):
                self._on_connection.job_manager.cancel_job_by_id(
                    job_id, abort=abort, connection=driver
                )

    # -- the job ----------------------------------------------------------------------------
    def _run_job(self, context: JobContext, import_id: int) -> None:
        job = jobs.claim(self.engine, import_id, self.worker_name)
        if job is None:
            log.info("import %s is not queued any more; nothing to do", import_id)
            return
        live = LiveProgress()
        control = RunControl(lambda: _stop_reason(context), live)
        with Heartbeat(self.engine, job, live, self.settings.job_heartbeat_seconds):
            state = jobs.run_claimed(self.engine, self.settings, self, job, control)
        log.info("import %s %s", import_id, state)

    # -- the worker process -----------------------------------------------------------------
    def prepare(self) -> None:
        ensure_schema(self.engine)

    def start(self) -> bool:
        self.prepare()
        return False  # API processes run no worker: `leadport worker` does

    def stop(self, timeout: float = 30.0) -> None:
        """Nothing runs here in an API process."""

    def run_worker(self, *, concurrency: int = 1, stop: threading.Event | None = None) -> None:
        """Run jobs until SIGINT/SIGTERM (or `stop`, when run in a thread); a running import finishes first."""
        ensure_schema(self.engine)
        sender = mailer.MailSender(self.engine, self.settings)
        sender.start()
        housekeeper = Housekeeper(self.engine, self.settings)
        housekeeper.start()
        halt = threading.Event()
        reaper = threading.Thread(
            target=self._reap, args=(halt,), name="leadport-reaper", daemon=True
        )
        reaper.start()
        try:
            asyncio.run(self._work(concurrency, stop))
        finally:
            halt.set()
            housekeeper.stop()
            sender.stop()
            reaper.join(timeout=10)

    async def _work(self, concurrency: int, stop: threading.Event | None) -> None:
        async with self.app.open_async():
            options: dict[str, Any] = dict(
                queues=[QUEUE],
                concurrency=concurrency,
                name=self.worker_name,
                wait=True,
                listen_notify=True,
                delete_jobs="successful",
                install_signal_handlers=stop is None,
                fetch_job_polling_interval=2.0,
                abort_job_polling_interval=1.0,
            )
            worker = asyncio.create_task(self.app.run_worker_async(**options))
            if stop is not None:
                await asyncio.to_thread(stop.wait)
                worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    def _reap(self, halt: threading.Event) -> None:
        every = max(0.5, self.settings.job_stale_seconds / 3)
        while not halt.wait(every):
            try:
                recover_stale(self.engine, self.settings, self)
            except Exception:
                log.exception("could not check for imports of stopped workers")


def _stop_reason(context: JobContext) -> str | None:
    reason = context.abort_reason()
    if reason is None:
        return None
    return jobs.SHUTDOWN if reason == AbortReason.SHUTDOWN else jobs.CANCEL

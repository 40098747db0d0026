"""The embedded queue (SQLite): the imports table is the queue, one thread runs its imports.

SQLite has one writer, and a running import holds the write lock for its whole transaction, so
the thread runs one import at a time and its progress lives in this process's memory (the API
reads it there: the worker runs inside `leadport serve`); a cancel reaches a running import
through the same memory, between two batches. At start the thread takes a lock file next to the
database (one embedded worker per database, even with several processes) and re-queues the
imports a previous process left `running`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from leadport.config import Settings
from leadport.domain.model import ImportState
from leadport.services import jobs
from leadport.services.jobs import LiveProgress, RunControl
from leadport.services.queue.liveness import recover_stale

log = logging.getLogger("leadport.jobs")
POLL_SECONDS = 2.0


class EmbeddedQueue:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.worker_name = f"embedded@{socket.gethostname()}:{os.getpid()}"
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._live: dict[int, LiveProgress] = {}
        self._cancels: set[int] = set()
        self._lockfile: IO[bytes] | None = None
        self._thread: threading.Thread | None = None

    # -- the JobQueue protocol ---------------------------------------------------------------
    def enqueue(self, conn: Connection, import_id: int) -> None:
        """Nothing to add: the queued row is the job."""

    def wake(self) -> None:
        self._wake.set()

    def request_cancel(self, engine: Engine, import_id: int) -> str:
        with self._lock:
            live = self._live.get(import_id)
            if live is not None:
                live.cancel_requested = True
                return ImportState.RUNNING
            self._cancels.add(import_id)  # in case the thread is about to claim it
        if jobs.cancel_queued(engine, import_id):
            return ImportState.CANCELLED
        return ImportState.RUNNING

    def live_progress(self, import_id: int) -> LiveProgress | None:
        return self._live.get(import_id)

    # -- the worker thread -------------------------------------------------------------------
    def prepare(self) -> None:
        """Nothing to prepare: the imports table is the queue."""

    def start(self) -> bool:
        """Start the worker thread; False when another process already runs one on this database."""
        if not self._take_lock_file():
            log.warning(
                "another process runs the embedded worker of this database; this one only serves"
            )
            return False
        self._thread = threading.Thread(
            target=self._loop, name="leadport-embedded-worker", daemon=True
        )
        self._thread.start()
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking imports; a running one is put back in the queue, rolled back whole."""
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._lockfile is not None:
            self._lockfile.close()
            self._lockfile = None

    def _take_lock_file(self) -> bool:
        database = make_url(str(self.engine.url)).database or ""
        base = (
            Path(database)
            if database and database != ":memory:"
            else self.settings.data_dir / "memory"
        )
        path = base.with_name(base.name + ".worker-lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "wb")  # noqa: SIM115 - held open for the worker's lifetime
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        self._lockfile = fh
        return True

    def _loop(self) -> None:
        try:
            recover_stale(self.engine, self.settings, self, every_running=True)
        except Exception:
            log.exception("could not recover the imports left running")
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self._apply_cancels()
                queued = jobs.queued_ids(self.engine)
                if queued:
                    self._run_one(queued[0])
                    continue
            except Exception:
                log.exception("the embedded worker failed; it will try again")
            self._wake.wait(POLL_SECONDS)

    def _apply_cancels(self) -> None:
        with self._lock:
            pending, self._cancels = self._cancels, set()
        for import_id in pending:
            jobs.cancel_queued(self.engine, import_id)

    def _run_one(self, import_id: int) -> None:
        job = jobs.claim(self.engine, import_id, self.worker_name)
        if job is None:
            return
        live = LiveProgress()
        with self._lock:
            self._live[import_id] = live
            live.cancel_requested = import_id in self._cancels
            self._cancels.discard(import_id)
        try:
            control = RunControl(lambda: jobs.SHUTDOWN if self._stopping.is_set() else None, live)
            jobs.run_claimed(self.engine, self.settings, self, job, control)
        finally:
            with self._lock:
                self._live.pop(import_id, None)

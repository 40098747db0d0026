"""Write one batch while the next is decided.

A batch's writes are most of an import's database time, and the next batch's decisions (and,
in-process, its reading and building) are most of its Python time. Both drivers let go of the GIL while the database
works (sqlite3 around each step, psycopg while it waits on the server), so running the writes
in a thread overlaps the two.

One batch is in flight at a time, and whoever touches the connection waits for it first:
`wait()` before any query, `submit()` once the next batch is looked up
(services/import_batch.py). The connection is never used
by two threads at once, so no driver has to be shared-safe; the transaction stays one.

One thread serves the whole import, started at the first write and stopped by `close()`: a
thread started per batch made the importing thread wait for each start (`Thread.start` waits
until the new thread runs, and it needs the GIL for that): ≈ 1.3 s of a 1M import.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

Write = Callable[[], None]


class WriteBehind:
    def __init__(self) -> None:
        self._writes: queue.SimpleQueue[Write | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, write: Write) -> None:
        """Run `write` in the background once the batch before it is written."""
        self.wait()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve, name="leadport-import-writes", daemon=True
            )
            self._thread.start()
        self._idle.clear()
        self._writes.put(write)

    def _serve(self) -> None:
        while (write := self._writes.get()) is not None:
            try:
                write()
            except BaseException as error:  # re-raised in the importing thread by wait()
                self._error = error
            finally:
                self._idle.set()

    def wait(self) -> None:
        """Block until nothing is being written; raise what the last write raised."""
        self._idle.wait()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def settle(self) -> None:
        """Wait without raising: the import is failing already and will roll back."""
        self._idle.wait()
        self._error = None

    def close(self) -> None:
        """Stop the thread once its last write is done (what that write raised is dropped:
        `wait` or `settle` came first). Safe to call more than once."""
        if self._thread is not None:
            self._writes.put(None)
            self._thread.join()
            self._thread = None

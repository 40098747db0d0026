"""Write one batch while the next is decided.

A batch's writes are most of an import's database time, and the next batch's decisions (and,
in-process, its reading and building) are most of its Python time. Both drivers let go of the GIL while the database
works (sqlite3 around each step, psycopg while it waits on the server), so running the writes
in a thread overlaps the two.

One batch is in flight at a time, and whoever touches the connection waits for it first:
`wait()` before any query, `submit()` once the next batch is looked up
(services/import_batch.py). The connection is never used
by two threads at once, so no driver has to be shared-safe; the transaction stays one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class WriteBehind:
    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, write: Callable[[], None]) -> None:
        """Run `write` in the background once the batch before it is written."""
        self.wait()
        self._thread = threading.Thread(
            target=self._run, args=(write,), name="leadport-import-writes", daemon=True
        )
        self._thread.start()

    def _run(self, write: Callable[[], None]) -> None:
        try:
            write()
        except BaseException as error:  # re-raised in the importing thread by wait()
            self._error = error

    def wait(self) -> None:
        """Block until nothing is being written; raise what the last write raised."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def settle(self) -> None:
        """Wait without raising: the import is failing already and will roll back."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._error = None

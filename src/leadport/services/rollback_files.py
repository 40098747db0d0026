"""The rollback's backup CSV: in `stored_files` (gzip, so any API process can serve it) and in
`<data_dir>/backups/` for the CLI.

The file is written to a temporary name inside the rollback's transaction and renamed only
after the commit: a failed or killed rollback leaves no backup that describes nothing.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from leadport.config import Settings
from leadport.db.backup_rows import backup_chunks, custom_field_names
from leadport.db.engine import is_sqlite
from leadport.db.rollback_archive import page_cache
from leadport.db.schema import imports, stored_files
from leadport.errors import NotFoundError
from leadport.writers.rollback_backup import GzipTee, write_backup_csv

_Chunk = Sequence[Sequence[Any]]
# The backup's own connection reads in order (memberships by id, their leads by id): a small page
# cache does (the connection's usual 64 MiB would only add to the rollback's peak memory).
READER_CACHE_KIB = 16_384


@dataclass(frozen=True)
class PendingBackup:
    temp: Path
    final: Path
    file_id: int
    rows: int

    def publish(self) -> Path:
        os.replace(self.temp, self.final)
        return self.final

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


@dataclass(frozen=True)
class StoredBackup:
    name: str
    media_type: str
    content: bytes
    content_encoding: str | None


def backups_dir(settings: Settings) -> Path:
    return (settings.data_dir / "backups").resolve()


class BackupWriter:
    """Writes the backup of what the rollback of an import removes, from the live tables as
    they are before the rollback changes them.

    On a SQLite file the rows are read on a connection of its own, in a thread, while the
    rollback archives and deletes: a read transaction under WAL sees the last commit, and the
    rollback holds the write lock, so that is the state before it whatever the rollback has
    done meanwhile (the two run on the machine's cores side by side; the driver releases the
    GIL while a statement runs). Elsewhere the rows are read on the rollback's own connection
    (`before_deletes`). `finish` stores the compressed copy in the rollback's transaction.
    """

    def __init__(
        self,
        conn: Connection,
        settings: Settings,
        target: tuple[int, int],
        now: datetime,
        *,
        with_activity: bool,
    ) -> None:
        self._workspace_id, self._import_id = target
        self._with_activity = with_activity
        self._now = now
        folder = backups_dir(settings)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f".import-{self._import_id}-rollback-*.tmp*"):
            stale.unlink(missing_ok=True)  # left by a rollback killed before its commit
        self._name = f"import-{self._import_id}-rollback-{now.strftime('%Y%m%dT%H%M%SZ')}.csv"
        self._final = folder / self._name
        self._temp = folder / f".{self._name}.{os.getpid()}.tmp"
        self._packed = self._temp.with_name(self._temp.name + ".gz")
        self._written: int | None = None
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if _separate_reader(conn):
            self._thread = threading.Thread(
                target=self._read_beside, args=(conn.engine,), name="rollback-backup"
            )
            self._thread.start()

    def before_deletes(self, conn: Connection) -> None:
        """Read the rows now on the rollback's connection, unless a thread does."""
        if self._thread is None and self._written is None:
            self._written = self._write(conn)

    def finish(self, conn: Connection) -> PendingBackup:
        """Wait for the file, then store its compressed copy (in the rollback's transaction)."""
        self._join()
        if self._error is not None:
            raise self._error
        assert self._written is not None, "before_deletes was not called"
        content = self._packed.read_bytes()
        self._packed.unlink()
        file_id = conn.execute(
            insert(stored_files)
            .returning(stored_files.c.id)
            .values(
                workspace_id=self._workspace_id,
                name=self._name,
                media_type="text/csv",
                content=content,
                content_encoding="gzip",
                created_at=self._now,
            )
        ).scalar_one()
        return PendingBackup(self._temp, self._final, int(file_id), self._written)

    def abandon(self) -> None:
        """Stop the reading thread, if any, and remove the temporary file."""
        self._stop.set()
        self._join()
        self._remove_temporary()

    def _remove_temporary(self) -> None:
        for path in (self._temp, self._packed):
            path.unlink(missing_ok=True)

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _read_beside(self, engine: Engine) -> None:
        try:
            with engine.connect() as reader, reader.begin(), page_cache(reader, READER_CACHE_KIB):
                self._written = self._write(reader)
        except BaseException as exc:  # handed to finish(), in the rollback's thread
            self._error = exc

    def _write(self, conn: Connection) -> int:
        try:
            chunks = backup_chunks(conn, self._import_id, with_activity=self._with_activity)
            with (
                self._temp.open("wb") as raw,
                self._packed.open("wb") as packed,
                contextlib.closing(chunks),
            ):
                out = GzipTee(raw, packed)
                count = write_backup_csv(
                    out, custom_field_names(conn, self._import_id), self._until_stopped(chunks)
                )
                out.finish()
                return count
        except BaseException:
            self._remove_temporary()
            raise

    def _until_stopped(self, chunks: Iterator[_Chunk]) -> Iterator[_Chunk]:
        for chunk in chunks:
            if self._stop.is_set():
                raise BackupStoppedError("the rollback failed before its backup was written")
            yield chunk


class BackupStoppedError(Exception):
    """The rollback failed while its backup was being read; the thread gives up."""


def _separate_reader(conn: Connection) -> bool:
    """A second connection sees the same database: a SQLite file (not memory)."""
    if not is_sqlite(conn):
        return False
    database = conn.engine.url.database
    if not database:
        return False
    return database != ":memory:" and not database.startswith("file::memory:")


def stored_backup(conn: Connection, workspace_id: int, import_id: int) -> StoredBackup:
    """The backup of an import's last rollback, as stored (kept after a restore and a purge)."""
    found = conn.execute(
        select(imports.c.backup_file_id).where(
            imports.c.id == import_id, imports.c.workspace_id == workspace_id
        )
    ).first()
    if found is None:
        raise NotFoundError(f"No import {import_id} in this workspace.")
    row = conn.execute(
        select(
            stored_files.c.name,
            stored_files.c.media_type,
            stored_files.c.content,
            stored_files.c.content_encoding,
        ).where(stored_files.c.id == found[0], stored_files.c.workspace_id == workspace_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"Import {import_id} has no backup: only a rollback writes one, and it was never "
            "rolled back."
        )
    return StoredBackup(row[0], row[1], bytes(row[2]), row[3])

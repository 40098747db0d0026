"""The rollback's backup CSV: in `stored_files` (gzip, so any API process can serve it) and in
`<data_dir>/backups/` for the CLI.

The file is written to a temporary name inside the rollback's transaction and renamed only
after the commit: a failed or killed rollback leaves no backup that describes nothing.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from leadport.config import Settings
from leadport.db.backup_rows import backup_chunks, custom_field_names
from leadport.db.schema import imports, stored_files
from leadport.errors import NotFoundError
from leadport.writers.rollback_backup import GzipTee, write_backup_csv


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


def write_backup(
    conn: Connection,
    settings: Settings,
    target: tuple[int, int],
    now: datetime,
    *,
    with_activity: bool,
) -> PendingBackup:
    """Write the backup of what the rollback of import `target` = (workspace id, import id) will
    remove; run before it removes anything."""
    workspace_id, import_id = target
    folder = backups_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f".import-{import_id}-rollback-*.tmp*"):
        stale.unlink(missing_ok=True)  # left by a rollback of this import killed before its commit
    name = f"import-{import_id}-rollback-{now.strftime('%Y%m%dT%H%M%SZ')}.csv"
    temp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        with temp.open("wb") as raw:
            out = GzipTee(raw)
            count = write_backup_csv(
                out,
                custom_field_names(conn, import_id),
                backup_chunks(conn, import_id, with_activity=with_activity),
            )
            content = out.finish()
        file_id = conn.execute(
            insert(stored_files)
            .returning(stored_files.c.id)
            .values(
                workspace_id=workspace_id,
                name=name,
                media_type="text/csv",
                content=content,
                content_encoding="gzip",
                created_at=now,
            )
        ).scalar_one()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return PendingBackup(temp, folder / name, int(file_id), count)


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

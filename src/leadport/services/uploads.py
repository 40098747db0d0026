"""Uploaded files, written to disk under the data folder as they arrive, never held in memory.

The size limit is checked on every chunk, so an oversized upload is refused after at most one
chunk past the limit, and its partial file is removed. A background job later reads the file
from `imports.file_path`; on PostgreSQL deployments the data folder must therefore be shared by
the API and worker machines.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from pathlib import Path
from typing import IO

from leadport.config import Settings
from leadport.errors import LimitExceededError

# Content-Length counts multipart boundaries and the option fields too: allow for them.
ENVELOPE_SLACK = 64 * 1024


def human_bytes(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def upload_limit(settings: Settings) -> int:
    """The largest file accepted: the upload limit, or the reader's file limit if smaller."""
    return min(settings.max_upload_bytes, settings.max_file_bytes)


def too_large(settings: Settings) -> LimitExceededError:
    limit = upload_limit(settings)
    return LimitExceededError(
        f"The file is larger than the upload limit of {human_bytes(limit)} ({limit} bytes); "
        "split it, or raise LEADPORT_MAX_UPLOAD_BYTES.",
        detail={"limit_bytes": limit},
    )


def check_declared_size(settings: Settings, content_length: int | None) -> None:
    """Refuse at once a request that says it is bigger than any acceptable upload."""
    if content_length is not None and content_length > upload_limit(settings) + ENVELOPE_SLACK:
        raise too_large(settings)


def uploads_dir(settings: Settings) -> Path:
    path = settings.data_dir.resolve() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_file_name(name: str | None) -> str:
    """The file's base name as the user's machine called it, without any directory part."""
    base = re.split(r"[\\/]", name or "")[-1].strip().replace("\x00", "")
    return base[:255] or "upload"


class UploadSink:
    """One upload on its way to disk; `write` refuses past the limit, `discard` cleans up."""

    def __init__(self, settings: Settings, file_name: str | None) -> None:
        self.settings = settings
        self.file_name = clean_file_name(file_name)
        suffix = Path(self.file_name).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
        self.path = uploads_dir(settings) / f"{uuid.uuid4().hex}{suffix}"
        self.size = 0
        self.hash = hashlib.sha256()
        self._limit = upload_limit(settings)
        self._fh: IO[bytes] | None = open(self.path, "wb")  # noqa: SIM115 - closed in finish/discard

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._limit:
            self.discard()
            raise too_large(self.settings)
        assert self._fh is not None
        self._fh.write(chunk)
        self.hash.update(chunk)

    def finish(self) -> Path:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
        return self.path

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        remove_upload(self.path)


def remove_upload(path: str | Path | None) -> None:
    """Delete an upload once its import has ended; a file already gone is fine."""
    if path:
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()


def sniff_source(path: Path) -> str:
    """`xlsx` for a zip container, else `csv`: what the import row records before the job runs."""
    with open(path, "rb") as fh:
        return "xlsx" if fh.read(4) == b"PK\x03\x04" else "csv"

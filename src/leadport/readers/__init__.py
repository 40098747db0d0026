"""Turn a lead file (CSV/TSV in any common encoding and delimiter, or XLSX) into raw records.

`open_table` decides the format by content, finds the header, and returns a `Table` whose
`rows()` streams `RawRow`s numbered as a spreadsheet numbers them. Cleaning is not done here.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from leadport.errors import InputFileError, UsageError
from leadport.readers.base import Progress, RawRow, Table
from leadport.readers.delimited import open_delimited
from leadport.readers.limits import ReaderLimits, check_file_size
from leadport.readers.sniff import detect_format
from leadport.readers.table import RecordTable, SourceInfo
from leadport.readers.xlsx import open_xlsx

__all__ = [
    "Progress",
    "RawRow",
    "ReaderLimits",
    "RecordTable",
    "SourceInfo",
    "Table",
    "open_table",
    "sha256_of",
]


def open_table(
    path: str | os.PathLike[str],
    *,
    file_name: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    limits: ReaderLimits | None = None,
) -> RecordTable:
    """Open a lead file for streaming; refuses (raises) only what cannot be read as a table.

    `file_name` is the name shown in messages (an upload's original name); `encoding` overrides
    detection for text files; `sheet` picks an XLSX sheet by name. A blank `encoding` or `sheet`
    (an empty form field) means "not given".
    """
    encoding = encoding if encoding and encoding.strip() else None
    sheet = sheet if sheet and sheet.strip() else None
    path = Path(path)
    name = file_name or path.name
    limits = limits or ReaderLimits()
    size = _size_of(path, name)
    check_file_size(name, size, limits)
    if size == 0:
        raise InputFileError(f"{name} is empty.", file=name)
    with path.open("rb") as fh:
        head = fh.read(16)
    if detect_format(path, name, head) == "xlsx":
        return open_xlsx(path, name, sheet, limits)
    if sheet is not None:
        raise UsageError(
            f"{name} is a CSV file, which has no sheets: leave out the sheet option.",
            detail={"file": name, "sheet": sheet},
        )
    return open_delimited(path, name, encoding, limits)


def _size_of(path: Path, name: str) -> int:
    """The size, or a plain refusal for a path that is missing or not a regular file."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputFileError(f"{name} does not exist.", file=name) from None
    except OSError as exc:
        raise InputFileError(f"{name} cannot be opened: {exc.strerror}.", file=name) from None
    if not path.is_file():
        raise InputFileError(f"{name} is not a file.", file=name)
    return stat.st_size


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex digest of the file's bytes, streamed: the key for "already imported" detection."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()

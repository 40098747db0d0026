"""Where an import's rows come from: a file through the readers, or an API batch of dicts.

Both give the pipeline the same thing: headers, then raw records with their row numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

from leadport.config import Settings
from leadport.domain.model import Source
from leadport.readers import ReaderLimits, open_table, sha256_of
from leadport.readers.base import Progress, RawRow

SAMPLE_ROWS = 50


@dataclass
class RowSource:
    file_name: str | None
    source: Source
    headers: list[str]
    rows: Iterator[RawRow]
    progress: Progress
    sha256: str | None = None
    samples: list[list[str]] = field(default_factory=list)
    _closer: Any = None

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()

    def __enter__(self) -> RowSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _with_samples(src: RowSource) -> RowSource:
    """Read the first rows ahead (for mapping by content) without losing them from the stream."""
    head = list(islice(src.rows, SAMPLE_ROWS))
    src.samples = [r.cells for r in head if r.error is None]
    src.rows = chain(head, src.rows)
    return src


def open_file_source(
    path: Path,
    *,
    file_name: str | None,
    sheet: str | None,
    encoding: str | None,
    settings: Settings,
) -> RowSource:
    limits = ReaderLimits(
        max_file_bytes=settings.max_file_bytes,
        max_rows=settings.max_rows,
        max_cell_chars=settings.max_cell_chars,
    )
    table = open_table(path, file_name=file_name, encoding=encoding, sheet=sheet, limits=limits)
    try:
        kind = Source.XLSX if _is_xlsx(path) else Source.CSV
        src = RowSource(
            table.file_name,
            kind,
            list(table.headers),
            table.rows(),
            table.progress,
            sha256_of(path),
            _closer=table,
        )
        return _with_samples(src)
    except BaseException:
        table.close()
        raise


def _is_xlsx(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def batch_source(rows: list[dict[str, Any]], *, source: Source = Source.API) -> RowSource:
    """An API batch: the union of the keys (in first-seen order) is the header; row 1 is the first."""
    headers = list(dict.fromkeys(k for r in rows for k in r))
    records = (RawRow(i, [_cell(r.get(h)) for h in headers]) for i, r in enumerate(rows, start=1))
    progress = Progress(done=0, total=len(rows), unit="rows")
    return _with_samples(RowSource(None, source, headers, records, progress))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)

"""One Table over any record source, so header, blank, ragged and limit rules exist only once.

A source (delimited text, an XLSX sheet) yields `(row, cells, error)` records: `row` is the
number a spreadsheet shows, `error` is set when the source could not parse that record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from types import TracebackType

from leadport.errors import InputFileError
from leadport.readers.base import Progress, RawRow
from leadport.readers.header import HEADER_SEARCH_RECORDS, choose_header, unique_headers
from leadport.readers.limits import ReaderLimits, cell_exceeded, rows_exceeded

Record = tuple[int, list[str], str | None]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What was read and how: shown to users and stored with the import."""

    file_name: str
    format: str  # "csv" (any delimited text) or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


class RecordTable:
    """The `Table` every reader returns; `rows()` streams once, in file order."""

    def __init__(
        self,
        info: SourceInfo,
        records: Iterator[Record],
        progress: Progress,
        limits: ReaderLimits,
        closer: Callable[[], None],
    ) -> None:
        self.info = info
        self.file_name = info.file_name
        self.progress = progress
        self._records = records
        self._limits = limits
        self._closer = closer
        self._started = False
        try:
            self.header_row, self.headers, self._pending = self._find_header()
        except BaseException:
            self.close()
            raise

    @property
    def format(self) -> str:
        return self.info.format

    @property
    def encoding(self) -> str | None:
        return self.info.encoding

    @property
    def delimiter(self) -> str | None:
        return self.info.delimiter

    @property
    def sheet(self) -> str | None:
        return self.info.sheet

    def _find_header(self) -> tuple[int, list[str], list[Record]]:
        """Buffer the first non-blank records (at most 30) and pick the header among them."""
        head: list[Record] = []
        for record in self._records:
            if record[2] is None and is_blank(record[1]):
                continue
            head.append(record)
            if len(head) == HEADER_SEARCH_RECORDS:
                break
        if not head:
            where = (
                f"sheet {self.info.sheet!r} of {self.file_name}"
                if self.info.sheet
                else self.file_name
            )
            raise InputFileError(f"{where} is empty.", file=self.file_name)
        index = choose_header([cells for _, cells, _ in head])
        row, cells, _ = head[index]
        headers = unique_headers(cells)
        self._check_cells(row, cells, headers)
        return row, headers, head[index + 1 :]

    def rows(self) -> Iterator[RawRow]:
        """Data records after the header; blank ones are skipped but keep their numbers."""
        if self._started:
            raise RuntimeError("Table.rows() streams once; open the file again to re-read it.")
        self._started = True
        return self._shape(chain(self._pending, self._records))

    def _shape(self, records: Iterator[Record]) -> Iterator[RawRow]:
        width, headers = len(self.headers), self.headers
        max_rows, max_chars = self._limits.max_rows, self._limits.max_cell_chars
        count = 0
        for row, cells, error in records:
            joined = "".join(cells)
            if error is None and not joined.strip():
                continue
            count += 1
            if count > max_rows:
                raise rows_exceeded(self.file_name, row, self._limits)
            if len(joined) > max_chars:
                self._check_cells(row, cells, headers)
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            elif len(cells) > width:
                error = error or _extra_cells_error(cells, width)
                if error is None:
                    del cells[width:]
            yield RawRow(row, cells, error)

    def _check_cells(self, row: int, cells: list[str], headers: list[str]) -> None:
        limit = self._limits.max_cell_chars
        for index, cell in enumerate(cells):
            if len(cell) > limit:
                column = headers[index] if index < len(headers) else f"column_{index + 1}"
                raise cell_exceeded(self.file_name, row, column, len(cell), self._limits)

    def close(self) -> None:
        closer, self._closer = self._closer, _nothing
        closer()

    def __enter__(self) -> RecordTable:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _extra_cells_error(cells: list[str], width: int) -> str | None:
    """Cells past the header are dropped when empty; content there means the row is malformed."""
    last = len(cells)
    while last > width and not cells[last - 1].strip():
        last -= 1
    if last == width:
        return None
    return f"has {last} cells but the header has {width}"


def _nothing() -> None:
    return None

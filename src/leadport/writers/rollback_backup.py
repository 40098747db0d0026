"""The backup CSV of a rollback: every removed membership (and deleted lead) with its fields,
custom fields, tags, status and activity counts per type.

Formula-safe (`safe_cells.neutralize`) and ready to re-import: the lead fields and custom fields
are ordinary columns, what only describes the removal is in `leadport_*` columns, which an
import ignores. Written a chunk of rows at a time, to the file and gzip-compressed to a second
file in the same pass, so memory does not grow with the import.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from leadport.db.backup_rows import ACTIVITY_TYPES
from leadport.domain.model import LEAD_FIELDS
from leadport.writers.safe_cells import DANGEROUS_STARTS, neutralize

DESCRIPTION = (
    "leadport_campaign",
    "leadport_status",
    "leadport_lead_id",
    "leadport_lead_deleted",
    *(f"leadport_{t}" for t in ACTIVITY_TYPES),
)
# zlib level of the stored copy. Measured on a 1,000,000-row backup (178 MB of CSV): level 1
# compresses in a third of the time of level 6 for a file 18% larger (54 vs 46 MB).
GZIP_LEVEL = 1

_N = len(LEAD_FIELDS)
_DANGER = "".join(DANGEROUS_STARTS)
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def header(custom_names: list[str]) -> list[str]:
    return [*LEAD_FIELDS, *custom_names, "tags", *DESCRIPTION]


class GzipTee:
    """Bytes written go to `raw` and, gzip-compressed, to `packed`."""

    def __init__(self, raw: IO[bytes], packed: IO[bytes], level: int = GZIP_LEVEL) -> None:
        self._raw = raw
        self._packed = packed
        self._packer = zlib.compressobj(level, zlib.DEFLATED, 31)

    def write(self, data: bytes) -> None:
        self._raw.write(data)
        self._packed.write(self._packer.compress(data))

    def finish(self) -> None:
        self._packed.write(self._packer.flush())


def write_backup_csv(
    out: GzipTee, custom_names: list[str], chunks: Iterable[Sequence[Sequence[Any]]]
) -> int:
    """Write the header (after a UTF-8 BOM) and one line per row; return the number of rows.

    A row is as `db.backup_rows` reads it: the lead fields, custom_fields, tags, campaign,
    status, then the last cells as one text."""
    rows = _Rows(custom_names)
    out.write(codecs.BOM_UTF8)
    out.write(rows.line(header(custom_names)).encode("utf-8"))
    count = 0
    for chunk in chunks:
        out.write("".join(rows.lines(chunk)).encode("utf-8"))
        count += len(chunk)
    return count


class _Rows:
    """Turns the rows read into CSV lines, as csv.writer writes them (QUOTE_MINIMAL, CRLF).

    Each value goes through `_cell` (formula-safe, None as an empty cell), inlined for text: a
    million rows go through here. The cells of a custom_fields or tags value are kept by that
    value (its JSON text), as the same values come back row after row; at most CACHED of each.
    A line is the cells joined by commas when no cell holds a comma, a quote or a line break
    (csv.writer writes such cells as they are, as a count of the commas tells); else
    csv.writer writes it."""

    CACHED = 10_000

    def __init__(self, custom_names: list[str]) -> None:
        self.names = custom_names
        self.blank = [""] * len(custom_names)
        self.custom: dict[Any, list[str]] = {None: self.blank}
        self.tags: dict[Any, str] = {None: ""}
        self.commas = len(header(custom_names)) - 1
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def lines(self, chunk: Sequence[Sequence[Any]]) -> list[str]:
        names, customs, tag_cells, commas = self.names, self.custom, self.tags, self.commas
        lines = []
        for row in chunk:
            cells = [("'" + v if v[0] in _DANGER else v) if v else "" for v in row[:_N]]
            if names:
                custom = row[_N]
                hit = customs.get(custom) if isinstance(custom, str | None) else None
                cells += self._custom(custom) if hit is None else hit
            tags = row[_N + 1]
            tag = tag_cells.get(tags) if isinstance(tags, str | None) else None
            cells.append(self._tags(tags) if tag is None else tag)
            cells.append(_cell(row[_N + 2]))
            cells.append(row[_N + 3] or "")  # the status, as it is
            cells.append(row[_N + 4])
            line = ",".join(cells)
            if line.count(",") != commas or '"' in line or "\n" in line or "\r" in line:
                cells[-1:] = cells[-1].split(",")
                line = self.line(cells)
            else:
                line += "\r\n"
            lines.append(line)
        return lines

    def line(self, cells: Sequence[Any]) -> str:
        """One line as csv.writer writes it."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()

    def _custom(self, value: Any) -> list[str]:
        get = (_loads(value) if isinstance(value, str) else value).get
        cells = [_cell(get(name)) for name in self.names]
        if isinstance(value, str):
            _keep(self.custom, value, cells)
        return cells

    def _tags(self, value: Any) -> str:
        cell = neutralize(", ".join(_loads(value) if isinstance(value, str) else value))
        if isinstance(value, str):
            _keep(self.tags, value, cell)
        return cell


def _keep(cache: dict[Any, Any], key: str, value: Any) -> None:
    if len(cache) >= _Rows.CACHED:
        none = cache[None]
        cache.clear()
        cache[None] = none
    cache[key] = value


def _loads(text: str) -> Any:
    """json.loads, without its wrapper's work for the compact JSON leadport itself stores."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def _cell(value: object) -> str:
    return "" if value is None else neutralize(str(value))

"""Lead exports as CSV or XLSX that are safe in spreadsheet programs and re-import losslessly.

- Columns: the lead fields, one column per custom field, `tags` (joined with `, `), then what
  only describes the lead (`leadport_*`), which an import ignores.
- A custom field keeps its name as header unless an import would read that header as something
  else (a field's synonym such as `Title`, a `leadport_` column, a name another column already
  has regardless of case, a formula character first): then the header is `custom:NAME`, which
  an import maps back to the custom field NAME (`custom: NAME`, with spaces, when two names
  differ only in case, since headers are compared ignoring case).
- Every text cell goes through `safe_cells.neutralize`; numbers stay numbers.
- Streamed: CSV row by row, XLSX through openpyxl's write-only mode (rows go to a temporary
  file, not to memory).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import PurePath
from typing import IO

from leadport.db.backup_rows import ACTIVITY_TYPES
from leadport.db.export_rows import ExportRow
from leadport.domain.mapping import CUSTOM, field_for_header, is_own_column
from leadport.domain.model import LEAD_FIELDS
from leadport.writers.safe_cells import DANGEROUS_STARTS, neutralize

Cell = str | int | None

# The control characters an XLSX cell cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE, copied so
# that openpyxl is imported only when an XLSX file is written (a test keeps the two the same).
XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
ACTIVITY_COLUMNS = tuple(f"leadport_{t}" for t in ACTIVITY_TYPES)
CAMPAIGN_EXTRA = ("leadport_lead_id", "leadport_status", "leadport_import_id", *ACTIVITY_COLUMNS)
WORKSPACE_EXTRA = ("leadport_lead_id", "leadport_campaigns", *ACTIVITY_COLUMNS)


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def format_for(name: str | PurePath) -> ExportFormat | None:
    """The format a file name asks for by its extension (`.csv`, `.xlsx`), else None."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    return next((f for f in ExportFormat if f.value == suffix), None)


def custom_headers(names: Sequence[str], taken: Iterable[str]) -> list[str]:
    """The header of each custom field, `custom:NAME` where NAME alone would not map back."""
    seen = {h.casefold() for h in taken}
    headers = []
    for name in names:
        header = name
        if _needs_prefix(name, seen):
            header, pad = CUSTOM + name, 0
            while header.casefold() in seen:  # `Company` and `company`: headers ignore case
                pad += 1
                header = CUSTOM + " " * pad + name
        seen.add(header.casefold())
        headers.append(header)
    return headers


def _needs_prefix(name: str, seen: set[str]) -> bool:
    return (
        field_for_header(name) is not None
        or is_own_column(name)
        or name.casefold().startswith(CUSTOM)
        or name.casefold() in seen
        or name.startswith(DANGEROUS_STARTS)
        or name != name.strip()
    )


def lead_header(custom_names: Sequence[str], *, campaign: bool) -> list[str]:
    extra = CAMPAIGN_EXTRA if campaign else WORKSPACE_EXTRA
    fixed = [*LEAD_FIELDS, "tags", *extra]
    return [*LEAD_FIELDS, *custom_headers(custom_names, fixed), "tags", *extra]


def lead_cells(row: ExportRow, custom_names: Sequence[str], *, campaign: bool) -> list[Cell]:
    """One export line; `campaign` picks the campaign export's description columns."""
    cells: list[Cell] = [_text(row.fields.get(f)) for f in LEAD_FIELDS]
    cells += [_text(row.custom.get(name)) for name in custom_names]
    cells.append(", ".join(str(t) for t in row.tags))
    cells.append(row.lead_id)
    if campaign:
        cells += [row.status, row.import_id]
    else:
        cells.append("; ".join(f"{name} ({status})" for name, status in row.campaigns))
    cells += [row.activity.get(t, 0) for t in ACTIVITY_TYPES]
    return cells


def write_table(
    out: IO[bytes], fmt: ExportFormat, header: list[str], rows: Iterable[Sequence[Cell]]
) -> int:
    """Write the header and rows to a binary stream; return the number of rows."""
    if fmt is ExportFormat.XLSX:
        return _write_xlsx(out, header, rows)
    return _write_csv(out, header, rows)


def _write_csv(out: IO[bytes], header: list[str], rows: Iterable[Sequence[Cell]]) -> int:
    """UTF-8 with a BOM (so spreadsheet programs read non-ASCII text right), CRLF lines."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralize(h) for h in header])
        count = 0
        for row in rows:
            writer.writerow(["" if c is None else _safe(c) for c in row])
            count += 1
        text.flush()
        return count
    finally:
        text.detach()  # the caller owns the stream


def _write_xlsx(out: IO[bytes], header: list[str], rows: Iterable[Sequence[Cell]]) -> int:
    # openpyxl is imported here, for XLSX only: ≈ 0.08 s of every command's start otherwise
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append([_xlsx(h) for h in header])
    count = 0
    for row in rows:
        sheet.append([_xlsx(c) for c in row])
        count += 1
    workbook.save(out)
    return count


def _safe(cell: str | int) -> str | int:
    return cell if isinstance(cell, int) else neutralize(cell)


def _xlsx(cell: Cell) -> Cell:
    """Text without the control characters XLSX cannot hold, formula-safe; numbers as numbers."""
    if cell is None or isinstance(cell, int):
        return cell
    return neutralize(XLSX_ILLEGAL.sub("", cell))


def _text(value: object) -> str:
    return "" if value is None else str(value)

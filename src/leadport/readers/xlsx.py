"""XLSX sheets through python-calamine, with cells turned into the text a user typed or saw.

Calamine keeps the parsed sheet in its compact native form and `iter_rows()` hands rows to
Python one at a time, so no Python list of the whole sheet is ever built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from leadport.errors import InputFileError, UsageError
from leadport.readers.base import Progress
from leadport.readers.limits import ReaderLimits
from leadport.readers.table import Record, RecordTable, SourceInfo


def open_xlsx(path: Path, file_name: str, sheet: str | None, limits: ReaderLimits) -> RecordTable:
    """The named sheet, else the first visible worksheet; rows numbered as Excel numbers them."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except CalamineError:
        raise InputFileError(
            f"{file_name} is not a readable XLSX file: the workbook is damaged or encrypted.",
            file=file_name,
        ) from None
    try:
        name = _pick_sheet(workbook, file_name, sheet)
        data = workbook.get_sheet_by_name(name)
    except CalamineError:
        workbook.close()
        raise InputFileError(
            f"{file_name} is not a readable XLSX file: a sheet of it is damaged.", file=file_name
        ) from None
    except BaseException:
        workbook.close()
        raise
    end = data.end
    progress = Progress(done=0, total=end[0] + 1 if end else 0, unit="rows")
    info = SourceInfo(file_name, "xlsx", sheet=name)
    return RecordTable(info, _records(data, progress), progress, limits, workbook.close)


def _pick_sheet(workbook: CalamineWorkbook, file_name: str, wanted: str | None) -> str:
    """An exact name wins, then a unique case-insensitive match; an unknown name lists the sheets."""
    names: list[str] = list(workbook.sheet_names)
    if wanted is None:
        return _first_visible_worksheet(workbook) or names[0]
    if wanted in names:
        return wanted
    folded = [n for n in names if n.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    listed = ", ".join(repr(n) for n in names)
    raise UsageError(
        f"{file_name} has no sheet named {wanted!r}; its sheets are {listed}.",
        detail={"file": file_name, "sheet": wanted, "sheets": names},
    )


def _first_visible_worksheet(workbook: CalamineWorkbook) -> str | None:
    """Hidden sheets and chart sheets are not what a user means by "the first sheet"."""
    for meta in workbook.sheets_metadata:
        if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith(".Visible"):
            return str(meta.name)
    return None


def _records(sheet: CalamineSheet, progress: Progress) -> Iterator[Record]:
    """Calamine starts at the sheet's first row (empty leading rows included), so the 1-based
    position is the row number Excel shows; leading empty columns are left out."""
    for row, values in enumerate(sheet.iter_rows(), start=1):
        progress.done = row
        yield row, [v if type(v) is str else cell_text(v) for v in values], None


def cell_text(value: Any) -> str:
    """Cells as text: whole numbers without ".0", dates in ISO 8601, booleans as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    return str(value)

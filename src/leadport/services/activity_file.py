"""An activity file (columns email, type, at) recorded into one campaign, all rows or none.

The file is read by the lead readers (any common encoding and delimiter, XLSX too) and streamed
into `record_activities` inside one write transaction: a bad row anywhere refuses the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine

from leadport.config import Settings
from leadport.db.engine import write_transaction
from leadport.domain.mapping import field_for_header, header_key
from leadport.errors import InputFileError
from leadport.readers import ReaderLimits, RecordTable, open_table
from leadport.services import directory
from leadport.services.activity import ActivityEvent, ActivityResult, record_activities
from leadport.services.directory import Workspace

# Header keys (see mapping.header_key) each column is known by; `email` also takes the lead
# mapping's email synonyms (`E-mail`, `Email Address`…).
TYPE_HEADERS = frozenset({"type", "activity", "activitytype", "event", "eventtype"})
AT_HEADERS = frozenset({"at", "time", "timestamp", "date", "datetime", "occurredat"})


def import_activity_file(
    engine: Engine,
    settings: Settings,
    workspace: Workspace,
    campaign: str,
    path: Path,
    *,
    file_name: str | None = None,
) -> ActivityResult:
    """Record every row of the file as an activity in the campaign, or refuse the whole file."""
    limits = ReaderLimits(
        max_file_bytes=settings.max_file_bytes,
        max_rows=settings.max_rows,
        max_cell_chars=settings.max_cell_chars,
    )
    with open_table(path, file_name=file_name, limits=limits) as table:
        events = _events(table, _columns(table))
        with write_transaction(engine) as conn:
            found = directory.find_campaign(conn, workspace.id, campaign)
            return record_activities(conn, workspace, found, events, file_name=table.file_name)


def _columns(table: RecordTable) -> tuple[int, int, int | None]:
    """Positions of the email, type and (optional) at columns."""
    email = _find(table.headers, lambda h: field_for_header(h) == "email")
    kind = _find(table.headers, lambda h: header_key(h) in TYPE_HEADERS)
    at = _find(table.headers, lambda h: header_key(h) in AT_HEADERS)
    for name, index in (("email", email), ("type", kind)):
        if index is None:
            raise InputFileError(
                f"{table.file_name} has no {name} column (its columns: "
                f"{', '.join(table.headers)}); an activity file has the columns email, type "
                "and at.",
                file=table.file_name,
                column=name,
            )
    assert email is not None
    assert kind is not None
    return email, kind, at


def _find(headers: list[str], test: Callable[[str], bool]) -> int | None:
    return next((i for i, h in enumerate(headers) if test(h)), None)


def _events(table: RecordTable, columns: tuple[int, int, int | None]) -> Iterator[ActivityEvent]:
    email, kind, at = columns
    for raw in table.rows():
        if raw.error is not None:
            raise InputFileError(
                f"{table.file_name} row {raw.row} could not be read: {raw.error}; "
                "nothing was recorded.",
                file=table.file_name,
                row=raw.row,
            )
        cells = raw.cells
        yield ActivityEvent(
            type=cells[kind],
            email=cells[email],
            at=cells[at] if at is not None else None,
            row=raw.row,
        )

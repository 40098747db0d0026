"""The rejected-rows CSV of an import (PRODUCT.md, Report): the rows it did not take, with their
original cells and the leadport_* reason columns, ready to fix and import again as they are.

Written here for the API download, `leadport imports rejected` and the emailed report
(services/mailer.py).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine

from leadport.db.engine import read_transaction
from leadport.domain.model import ImportState
from leadport.errors import ConflictError
from leadport.services.exports import check_folder, output_format
from leadport.services.report import import_record, iter_outcomes
from leadport.writers.atomic_file import atomic_file
from leadport.writers.lead_export import ExportFormat
from leadport.writers.rejected_csv import write_rejected_csv


def finished_record(conn: Connection, import_id: int, workspace_id: int) -> Any:
    """The import's record once it has a report; a clear refusal while it runs or if it failed."""
    record = import_record(conn, import_id, workspace_id)
    if record["state"] in (ImportState.QUEUED, ImportState.RUNNING):
        raise ConflictError(
            f"Import {import_id} is {record['state']}: its report is ready once it completes."
        )
    if record["state"] in (ImportState.FAILED, ImportState.CANCELLED):
        raise ConflictError(
            f"Import {import_id} {record['state']}, so it has no report: {record['error']}",
            detail={"state": record["state"]},
        )
    return record


def write_rejected_rows(conn: Connection, record: Any, out: IO[str]) -> int:
    """The CSV (with a BOM, so spreadsheet programs read it as UTF-8); returns its row count."""
    if record["dry_run"]:
        raise ConflictError(
            f"Import {record['id']} was a dry run, which keeps no cells: run it for real to get the file."
        )
    out.write("\ufeff")
    rows = iter_outcomes(conn, record["id"], not_taken_only=True)
    return write_rejected_csv(out, source_headers(record), rows)


def source_headers(record: Any) -> list[str]:
    """The header row of the import's file (the rejected rows' first columns)."""
    summary = record["summary"]
    if not isinstance(summary, dict):
        summary = json.loads(summary or "{}")
    return list(summary.get("headers") or [])


def rejected_rows_file(engine: Engine, workspace_id: int, import_id: int, path: Path) -> int:
    """Write the CSV to `path` under a temporary name, renamed into place once complete."""
    output_format(path, (ExportFormat.CSV,))
    check_folder(path)
    with read_transaction(engine) as conn:
        record = finished_record(conn, import_id, workspace_id)
        with atomic_file(path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            count = write_rejected_rows(conn, record, text)
            text.flush()
            text.detach()
    return count

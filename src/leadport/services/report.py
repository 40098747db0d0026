"""The machine-readable report of an import (PRODUCT.md §7), read back from the database.

Rows are streamed: a million-row report is never held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy import Connection, select

from leadport.db.schema import import_rows, imports
from leadport.domain.outcomes import RowOutcome
from leadport.errors import NotFoundError


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def import_record(conn: Connection, import_id: int, workspace_id: int | None = None) -> Any:
    stmt = select(imports).where(imports.c.id == import_id)
    if workspace_id is not None:
        stmt = stmt.where(imports.c.workspace_id == workspace_id)
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFoundError(f"No import {import_id} in this workspace.")
    return row._mapping


def report_header(record: Any) -> dict[str, Any]:
    summary = _loads(record["summary"]) or {}
    return {
        "import_id": str(record["id"]),
        "state": record["state"],
        "dry_run": bool(record["dry_run"]),
        "source": record["source"],
        "file_name": record["file_name"],
        "rows_read": summary.get("rows_read", 0),
        "account": summary.get("account", {"added": 0, "modified": 0, "rejected": 0}),
        "campaign": summary.get("campaign"),
        "codes": summary.get("codes", {}),
    }


def iter_outcomes(
    conn: Connection, import_id: int
) -> Iterator[tuple[RowOutcome, list[str] | None]]:
    """Each row's outcome in row order, with the original cells of rows that were not taken."""
    stmt = (
        select(
            import_rows.c.row,
            import_rows.c.code,
            import_rows.c.campaign_code,
            import_rows.c.lead_id,
            import_rows.c.warnings,
            import_rows.c.detail,
            import_rows.c.cells,
        )
        .where(import_rows.c.import_id == import_id)
        .order_by(import_rows.c.row)
        .execution_options(yield_per=2000)
    )
    for row, code, ccode, lead_id, warnings, detail, cells in conn.execute(stmt):
        outcome = RowOutcome(
            row, code, ccode, lead_id, tuple(_loads(warnings) or ()), _loads(detail) or {}
        )
        yield outcome, _loads(cells)


def write_report_json(out: IO[str], header: dict[str, Any], rows: Iterable[dict[str, Any]]) -> None:
    """The report as one JSON object, written row by row."""
    head = json.dumps(header, ensure_ascii=False)
    out.write(head[:-1] + ', "rows": [')
    for i, row in enumerate(rows):
        out.write((",\n" if i else "\n") + json.dumps(row, ensure_ascii=False))
    out.write("\n]}\n")


def report_json_rows(conn: Connection, import_id: int) -> Iterator[dict[str, Any]]:
    for outcome, _ in iter_outcomes(conn, import_id):
        yield outcome.to_json()

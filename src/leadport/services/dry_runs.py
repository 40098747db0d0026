"""The report of a background dry run, kept after its transaction rolled back.

A dry run writes nothing, yet an API client asks for its report later, from another request
(maybe another process). Its outcomes are spooled to a temporary file while it runs, then the
import row and its per-row outcomes are written in a transaction of their own. No lead and no
original cell is kept: the report is all there is of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy import Engine, delete, update

from leadport.db.bulk import as_json, bulk_insert, utcnow
from leadport.db.engine import write_transaction
from leadport.db.schema import import_rows, imports
from leadport.domain.model import ImportState
from leadport.domain.outcomes import RowOutcome
from leadport.services.imports import ImportResult

ROW_COLUMNS = (
    "import_id",
    "row",
    "code",
    "campaign_code",
    "lead_id",
    "warnings",
    "detail",
    "cells",
)
BATCH = 2_000


def spooler(spool: IO[str]) -> Callable[[RowOutcome], None]:
    def sink(outcome: RowOutcome) -> None:
        spool.write(
            json.dumps(
                [
                    outcome.row,
                    outcome.code,
                    outcome.campaign_code,
                    outcome.lead_id,
                    list(outcome.warnings),
                    outcome.detail,
                ],
                ensure_ascii=False,
            )
            + "\n"
        )

    return sink


def store_report(engine: Engine, result: ImportResult, spool: IO[str]) -> None:
    spool.seek(0)
    with write_transaction(engine) as conn:
        conn.execute(delete(import_rows).where(import_rows.c.import_id == result.import_id))
        batch: list[tuple[Any, ...]] = []
        for line in spool:
            row, code, ccode, lead_id, warnings, detail = json.loads(line)
            batch.append(
                (
                    result.import_id,
                    row,
                    code,
                    ccode,
                    lead_id,
                    as_json(warnings) if warnings else None,
                    as_json(detail) if detail else None,
                    None,
                )
            )
            if len(batch) >= BATCH:
                bulk_insert(conn, "import_rows", ROW_COLUMNS, batch)
                batch = []
        bulk_insert(conn, "import_rows", ROW_COLUMNS, batch)
        summary = result.summary
        conn.execute(
            update(imports)
            .where(imports.c.id == result.import_id)
            .values(
                state=ImportState.COMPLETED,
                summary=summary,
                rows_total=summary["rows_read"],
                rows_done=summary["rows_read"],
                finished_at=utcnow(),
                heartbeat_at=None,
            )
        )

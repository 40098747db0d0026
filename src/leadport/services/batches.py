"""JSON batch imports (source `api`) with idempotency keys.

A batch runs at once, in the request, through the same pipeline as a file. With an
Idempotency-Key, a retried batch returns the first batch's report and imports nothing twice:
the key is stored on the import row, unique per workspace, so even two copies of one batch
sent at the same moment end as one import (the second finds the first's row and answers with
it). A key reused with different options is refused; the rows are not compared.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from leadport.config import Settings
from leadport.db.engine import is_sqlite, read_transaction
from leadport.db.schema import imports
from leadport.domain.options import ImportOptions
from leadport.domain.outcomes import RowOutcome
from leadport.errors import ConflictError, LimitExceededError, UsageError
from leadport.services import mailer
from leadport.services.directory import Member
from leadport.services.imports import ImportRequest, ImportResult, run_import
from leadport.services.report import import_record, report_header, report_json_rows

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass(frozen=True)
class BatchReport:
    """The report of a batch; `replayed` when it is the answer given to an earlier copy."""

    import_id: int
    report: dict[str, Any]
    replayed: bool
    dry_run: bool


def run_batch(
    engine: Engine,
    settings: Settings,
    member: Member,
    options: ImportOptions,
    rows: list[dict[str, Any]],
    idempotency_key: str | None = None,
) -> BatchReport:
    if len(rows) > settings.max_batch_rows:
        raise LimitExceededError(
            f"A batch holds at most {settings.max_batch_rows} rows (this one has {len(rows)}): split it, "
            "upload a file, or raise LEADPORT_MAX_BATCH_ROWS.",
            detail={"limit_rows": settings.max_batch_rows},
        )
    if idempotency_key is not None and not KEY_PATTERN.match(idempotency_key):
        raise UsageError(
            "Idempotency-Key must be 1 to 200 visible ASCII characters (a UUID is a good one)."
        )
    key = None if options.dry_run else idempotency_key
    if key is not None and (earlier := _replay(engine, member, options, key)) is not None:
        return earlier
    collected: list[RowOutcome] = []
    request = ImportRequest(member.workspace_id, member.id, options, rows=rows, idempotency_key=key)
    try:
        with _one_writer(engine):
            result = run_import(
                engine, settings, request, row_sink=collected.append if options.dry_run else None
            )
    except IntegrityError:
        if key is not None and (earlier := _replay(engine, member, options, key)) is not None:
            return earlier
        raise
    if options.dry_run:
        report = {**result.report_header(), "rows": [o.to_json() for o in collected]}
        return BatchReport(result.import_id, report, replayed=False, dry_run=True)
    mailer.enqueue_report(engine, settings, result.import_id)
    return BatchReport(
        result.import_id, _stored_report(engine, result), replayed=False, dry_run=False
    )


_SQLITE_WRITER = threading.Lock()


def _one_writer(engine: Engine) -> Any:
    """On SQLite, batches of this process queue here for the one write lock, in turn, instead of
    polling for it in SQLite's busy handler (whose growing sleeps make the slowest waits long)."""
    return _SQLITE_WRITER if is_sqlite(engine) else contextlib.nullcontext()


def _stored_report(engine: Engine, result: ImportResult) -> dict[str, Any]:
    with read_transaction(engine) as conn:
        header = report_header(import_record(conn, result.import_id))
        return {**header, "rows": list(report_json_rows(conn, result.import_id))}


def _replay(engine: Engine, member: Member, options: ImportOptions, key: str) -> BatchReport | None:
    with read_transaction(engine) as conn:
        row = conn.execute(
            select(imports.c.id, imports.c.options).where(
                imports.c.workspace_id == member.workspace_id, imports.c.idempotency_key == key
            )
        ).first()
        if row is None:
            return None
        if row.options != options.model_dump(mode="json"):
            raise ConflictError(
                f"Idempotency-Key {key!r} was already used for import {row.id} with other options; "
                "use a new key for a different batch.",
                detail={"import_id": str(row.id)},
            )
        report = {
            **report_header(import_record(conn, row.id)),
            "rows": list(report_json_rows(conn, row.id)),
        }
    return BatchReport(row.id, report, replayed=True, dry_run=False)

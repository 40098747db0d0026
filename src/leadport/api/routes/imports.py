"""Imports: upload a file (background job), send a JSON batch (at once), follow, read, cancel."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from leadport.api.deps import ImportId, MemberDep, ServerDep
from leadport.api.errors import error_responses
from leadport.api.multipart import read_upload
from leadport.api.schemas import (
    CancelPublic,
    ImportAccepted,
    ImportBatchCreate,
    ImportPublic,
    ImportReport,
)
from leadport.api.upload_form import UPLOAD_BODY, options_from_form
from leadport.db.engine import read_transaction
from leadport.domain.model import ImportState, Source
from leadport.domain.options import ImportOptions
from leadport.services import batches, jobs
from leadport.services.import_status import import_status
from leadport.services.imports import ImportRequest, find_repeat
from leadport.services.rejected_rows import finished_record, write_rejected_rows
from leadport.services.report import report_header, report_row_texts
from leadport.services.uploads import check_declared_size, sniff_source

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


def _content_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


@router.post(
    "",
    status_code=202,
    response_model=ImportAccepted,
    openapi_extra=UPLOAD_BODY,
    responses=error_responses(404, 413),
)
async def create_import(
    request: Request, member: MemberDep, srv: ServerDep, response: Response
) -> Any:
    """Upload a CSV, TSV or XLSX file and queue its import.

    The file is streamed to disk (413 past the upload limit) and imported in the background;
    follow it at `GET /api/v1/imports/{id}`. Options are form fields beside the file.
    """
    settings = srv.app.settings
    check_declared_size(settings, _content_length(request))
    parsed = await read_upload(settings, request.headers.get("content-type"), request.stream())
    sink = parsed.sink
    assert sink is not None
    try:
        options = options_from_form(
            parsed.fields, file_name=sink.file_name, source=sniff_source(sink.path)
        )
        upload = jobs.NewUpload(
            member.workspace_id,
            member.id,
            options,
            sink.path,
            options.source,
            sink.hash.hexdigest(),
            sink.size,
        )
        repeat = await run_in_threadpool(
            find_repeat,
            srv.app.engine,
            ImportRequest(member.workspace_id, member.id, options),
            upload.sha256,
        )
        import_id = await run_in_threadpool(
            jobs.create_upload_import, srv.app.engine, srv.queue, upload
        )
    except BaseException:
        sink.discard()
        raise
    response.headers["Location"] = f"/api/v1/imports/{import_id}"
    return {"import_id": str(import_id), "state": ImportState.QUEUED, "repeat_of": repeat}


@router.post(
    "/batch",
    response_model=ImportReport,
    status_code=201,
    responses={
        200: {"model": ImportReport, "description": "A dry run's report (nothing was written)."},
        **error_responses(404, 409, 413),
    },
)
def create_batch(
    body: ImportBatchCreate,
    member: MemberDep,
    srv: ServerDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Any unique string (a UUID): a retry with the same key returns the first "
            "result and imports nothing twice."
        ),
    ] = None,
) -> Any:
    """Import a JSON batch of leads now (source `api`) and return its report.

    With an `Idempotency-Key`, a retried batch returns the first batch's report (header
    `Idempotent-Replayed: true`) without importing again.
    """
    options = ImportOptions(**body.model_dump(exclude={"rows"}), source=Source.API)
    result = batches.run_batch(
        srv.app.engine,
        srv.app.settings,
        member,
        options,
        [dict(r) for r in body.rows],
        idempotency_key,
    )
    if result.dry_run:
        response.status_code = 200
    else:
        response.headers["Location"] = f"/api/v1/imports/{result.import_id}"
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return result.report


@router.get("/{import_id}", response_model=ImportPublic, responses=error_responses(404))
def get_import(import_id: ImportId, member: MemberDep, srv: ServerDep) -> Any:
    """An import's state and progress (rows done, bytes read of the file), readable while it runs."""
    with read_transaction(srv.app.engine) as conn:
        return import_status(
            conn, member.workspace_id, import_id, srv.queue.live_progress(import_id)
        )


def _finished_record(srv: Any, member: Any, import_id: int) -> Any:
    with read_transaction(srv.app.engine) as conn:
        return finished_record(conn, import_id, member.workspace_id)


@router.get("/{import_id}/report", response_model=ImportReport, responses=error_responses(404, 409))
def get_report(import_id: ImportId, member: MemberDep, srv: ServerDep) -> Any:
    """The machine-readable report of a finished import: counts, then one entry per row."""
    record = _finished_record(srv, member, import_id)
    engine = srv.app.engine

    def chunks() -> Iterator[str]:
        head = json.dumps(report_header(record), ensure_ascii=False)
        yield head[:-1] + ', "rows": ['
        with read_transaction(engine) as conn:
            for i, row in enumerate(report_row_texts(conn, import_id)):
                yield ("," if i else "") + row
        yield "]}"

    return StreamingResponse(chunks(), media_type="application/json")


@router.get(
    "/{import_id}/rejected.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The rows not taken, with their original cells and leadport_* reason columns.",
        },
        **error_responses(404, 409),
    },
)
def get_rejected_csv(import_id: ImportId, member: MemberDep, srv: ServerDep) -> Any:
    """The rows the import did not take, ready to fix and import again as they are."""
    record = _finished_record(srv, member, import_id)
    spool = tempfile.SpooledTemporaryFile(max_size=1024**2, mode="w+", encoding="utf-8", newline="")  # noqa: SIM115 - closed by the stream
    try:
        with read_transaction(srv.app.engine) as conn:
            write_rejected_rows(conn, record, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def chunks() -> Iterator[str]:
        with spool:
            while block := spool.read(64 * 1024):
                yield block

    name = f"rejected-{import_id}.csv"
    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/{import_id}/cancel",
    status_code=202,
    response_model=CancelPublic,
    responses=error_responses(404, 409),
)
def cancel_import(import_id: ImportId, member: MemberDep, srv: ServerDep) -> Any:
    """Cancel a queued or running import: it is rolled back whole and ends `cancelled`."""
    state = jobs.cancel(srv.app.engine, srv.queue, member.workspace_id, import_id)
    return {"import_id": str(import_id), "state": state}

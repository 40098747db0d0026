"""Activity the sending system reports: a JSON list of events, or a file of them (CSV, XLSX).

Both go through `services.activity`, so an event is checked, kept and refused in the same words
as through the CLI: every event of a call is recorded, or (at the first bad one) none.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import Engine

from leadport.api.deps import MemberDep, ServerDep
from leadport.api.errors import error_responses
from leadport.api.multipart import drain, read_upload
from leadport.api.schemas import ActivityCreate, ActivityResultPublic
from leadport.bootstrap import App
from leadport.db.engine import read_transaction, write_transaction
from leadport.errors import LimitExceededError, UsageError
from leadport.services import directory
from leadport.services.activity import ActivityEvent, ActivityResult, record_activities
from leadport.services.activity_file import import_activity_file
from leadport.services.directory import Member
from leadport.services.uploads import UploadSink, check_declared_size

router = APIRouter(prefix="/api/v1/activities", tags=["activity"])

EXAMPLE = (
    '{"email": "ann@acme.com", "campaign": "Q4 outreach", "type": "replied", '
    '"at": "2026-05-01T09:30:00Z"}'
)
FIELDS = "email, lead_id, campaign, type, at"
# A body is refused unread past this many bytes per allowed event (an event is ~150 bytes).
BYTES_PER_EVENT = 1024

EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": ActivityCreate.model_json_schema(),
                    "description": "The events, in order; at most LEADPORT_MAX_ACTIVITY_EVENTS "
                    "(default 10,000) a request.",
                }
            }
        },
    }
}
FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "campaign"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV, TSV or XLSX with the columns email, type and "
                            "(optional) at.",
                        },
                        "campaign": {
                            "type": "string",
                            "minLength": 1,
                            "description": "The campaign's name.",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "",
    response_model=ActivityResultPublic,
    openapi_extra=EVENTS_BODY,
    responses=error_responses(404, 409, 413),
)
async def record_events(request: Request, member: MemberDep, srv: ServerDep) -> Any:
    """Record a list of events (`sent`, `opened`, `replied`…) on campaign leads: all, or none.

    Each event names its lead by `email` or `lead_id` and its campaign by name; the lead must be
    in that campaign. The first bad event refuses the whole list with `Event N, FIELD: …;
    nothing was recorded.` and `detail` `{"event": N, "field": FIELD}` (N counts from 1): 422
    for a bad value, 404 for an unknown campaign or lead, 409 for a lead not in the campaign.
    An event equal to one already kept is counted in `duplicates`, not twice, so a retry is safe.
    `bounced` also marks the lead's email bounced; `unsubscribed` sets its status in the campaign.
    """
    limit = srv.app.settings.max_activity_events
    body = await _read_body(request, limit)
    result = await run_in_threadpool(_record, srv.app.engine, member, body, limit)
    return result.to_json()


@router.post(
    "/import",
    response_model=ActivityResultPublic,
    openapi_extra=FILE_BODY,
    responses=error_responses(404, 413),
)
async def import_events_file(request: Request, member: MemberDep, srv: ServerDep) -> Any:
    """Record a file of events (columns email, type, at) in one campaign: every row, or none.

    Read like a lead file (any common encoding and delimiter, XLSX, title lines skipped); the
    upload is streamed to disk (413 past the upload limit) and recorded before the answer. The
    first bad row refuses the file with its row (as a spreadsheet numbers it) and column in
    the message and in `detail` (422); an unknown campaign is a 404.
    """
    settings = srv.app.settings
    check_declared_size(settings, _declared_length(request))
    parsed = await read_upload(settings, request.headers.get("content-type"), request.stream())
    sink = parsed.sink
    assert sink is not None
    try:
        campaign = _campaign_field(parsed.fields)
        result = await run_in_threadpool(_record_file, srv.app, member, campaign, sink)
    finally:
        sink.discard()
    return result.to_json()


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _too_many(limit: int, why: str, **detail: int) -> LimitExceededError:
    return LimitExceededError(
        f"A list holds at most {limit:,} events{why}: split it, send a file to "
        "POST /api/v1/activities/import, or raise LEADPORT_MAX_ACTIVITY_EVENTS.",
        detail={"limit_events": limit, **detail},
    )


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused unread (413) when it is too long to hold `limit` events."""
    most = limit * BYTES_PER_EVENT
    declared = _declared_length(request)
    if declared is not None and declared > most:
        raise _too_many(
            limit, f" and {most:,} bytes (this body has {declared:,})", limit_bytes=most
        )
    body = bytearray()
    stream = request.stream()
    async for chunk in stream:
        body += chunk
        if len(body) > most:
            await drain(stream)
            raise _too_many(limit, f" and {most:,} bytes (this body has more)", limit_bytes=most)
    return bytes(body)


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise UsageError(
            f"The body is not JSON ({exc}): send a list of events such as [{EXAMPLE}].",
            detail={"field": "body"},
        ) from None


def _events(raw: Any, limit: int) -> list[ActivityEvent]:
    """The body as events, each numbered from 1; its shape is checked before any event is."""
    if not isinstance(raw, list):
        raise UsageError(
            f"The body must be a JSON list of events such as [{EXAMPLE}].",
            detail={"field": "body"},
        )
    if len(raw) > limit:
        raise _too_many(limit, f" (this one has {len(raw):,})")
    events = []
    for n, item in enumerate(raw, start=1):
        try:
            e = ActivityCreate.model_validate(item)
        except ValidationError as exc:
            raise _shape_error(n, exc) from None
        lead_id = int(e.lead_id) if e.lead_id is not None else None
        events.append(ActivityEvent(e.type, e.email, lead_id, e.campaign, e.at, row=n))
    return events


def _shape_error(n: int, exc: ValidationError) -> UsageError:
    """The first problem of event N's shape, in the service's words (`Event N, FIELD: …`)."""
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else None
    if field is None:
        where, problem = f"Event {n}", f"an event is a JSON object such as {EXAMPLE}"
    elif first["type"] == "extra_forbidden":
        where, problem = f"Event {n}, {field}", f"not a field of an event (they are {FIELDS})"
    elif first["type"] == "missing":
        where, problem = f"Event {n}, {field}", "this field is required"
    else:
        where, problem = f"Event {n}, {field}", first["msg"][0].lower() + first["msg"][1:]
    return UsageError(
        f"{where}: {problem}; nothing was recorded.", detail={"event": n, "field": field}
    )


def _record(engine: Engine, member: Member, body: bytes, limit: int) -> ActivityResult:
    """Parse, check and record (in a worker thread: 10,000 events take a moment to check)."""
    events = _events(_parse(body), limit)
    if not events:  # nothing to wait for the write lock for
        return ActivityResult(None)
    with write_transaction(engine) as conn:
        workspace = directory.workspace_by_id(conn, member.workspace_id)
        result = record_activities(conn, workspace, None, events)
    names = {e.campaign for e in events}
    if len(names) == 1:
        result.campaign = names.pop()
    return result


def _campaign_field(fields: dict[str, list[str]]) -> str:
    unknown = sorted(set(fields) - {"campaign"})
    if unknown:
        raise UsageError(
            f"Unknown upload field {unknown[0]!r}; the fields are file and campaign.",
            detail={"field": unknown[0]},
        )
    campaign = (fields.get("campaign") or [""])[-1].strip()
    if not campaign:
        raise UsageError(
            "The form field 'campaign' is required: the name of the campaign the events are in.",
            detail={"field": "campaign"},
        )
    return campaign


def _record_file(app: App, member: Member, campaign: str, sink: UploadSink) -> ActivityResult:
    with read_transaction(app.engine) as conn:
        workspace = directory.workspace_by_id(conn, member.workspace_id)
    return import_activity_file(
        app.engine, app.settings, workspace, campaign, sink.path, file_name=sink.file_name
    )

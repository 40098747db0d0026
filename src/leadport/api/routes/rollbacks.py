"""Undoing an import: preview and rollback, the backup CSV of what was removed, and restore.

The services decide who may and which imports can (403 and 409, the same sentences as the CLI);
the member an API key speaks for only ever sees imports of their own workspace (404).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from leadport.api.deps import ImportId, MemberDep, ServerDep
from leadport.api.errors import error_responses
from leadport.api.schemas import RestorePublic, RollbackPublic
from leadport.db.engine import read_transaction
from leadport.services import restore
from leadport.services.rollback import preview_rollback, roll_back
from leadport.services.rollback_files import stored_backup

router = APIRouter(prefix="/api/v1/imports", tags=["rollback"])

CHUNK = 64 * 1024


def backup_url(import_id: int) -> str:
    return f"/api/v1/imports/{import_id}/backup.csv"


@router.post(
    "/{import_id}/rollback", response_model=RollbackPublic, responses=error_responses(403, 404, 409)
)
def rollback_import(
    import_id: ImportId,
    member: MemberDep,
    srv: ServerDep,
    preview: Annotated[
        bool, Query(description="Only say what a rollback would do now; change nothing.")
    ] = False,
) -> Any:
    """Roll an import back (this call is the confirmation), or preview it with `?preview=true`.

    Removes every campaign membership the import created with its activity, deletes the leads it
    created that no other campaign holds, and puts back the field values it changed unless they
    changed since (`kept_newer`). Admins may roll back any import; members only their own, and
    only with the workspace setting `members_can_rollback` (403). A queued, running, failed,
    cancelled, dry-run, manual or already rolled-back import is refused (409). `backup_file` is
    where to download the backup CSV of what was removed.
    """
    if preview:
        return preview_rollback(srv.app.engine, import_id, member).to_json()
    result = roll_back(srv.app.engine, srv.app.settings, import_id, member)
    return {**result.to_json(), "backup_file": backup_url(import_id)}


@router.get(
    "/{import_id}/backup.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "One line per removed membership (and per deleted lead without one): "
            "the lead's fields, custom fields, tags, and leadport_* columns (campaign, status, "
            "lead id, deleted, activity counts). Gzip-encoded when the request accepts gzip.",
        },
        **error_responses(404),
    },
)
def get_backup_csv(import_id: ImportId, member: MemberDep, srv: ServerDep, request: Request) -> Any:
    """The backup CSV of what the import's last rollback removed, ready to re-import as it is.

    Kept after a restore and after the retention period. 404 for an import never rolled back.
    """
    with read_transaction(srv.app.engine) as conn:
        backup = stored_backup(conn, member.workspace_id, import_id)
    headers = {
        "Content-Disposition": f'attachment; filename="{backup.name}"',
        "Vary": "Accept-Encoding",
    }
    media_type = f"{backup.media_type}; charset=utf-8"
    if backup.content_encoding != "gzip":
        return Response(backup.content, media_type=media_type, headers=headers)
    if accepts_gzip(request.headers.get("accept-encoding")):
        headers["Content-Encoding"] = "gzip"
        return Response(backup.content, media_type=media_type, headers=headers)
    return StreamingResponse(gunzipped(backup.content), media_type=media_type, headers=headers)


@router.post(
    "/{import_id}/restore", response_model=RestorePublic, responses=error_responses(403, 404, 409)
)
def restore_import(import_id: ImportId, member: MemberDep, srv: ServerDep) -> Any:
    """Bring a rolled-back import back: leads, memberships, statuses, activity and field values.

    Admins only (403), within the retention period of the rollback (409 after it, and for an
    import that is not rolled back, or one that would take the workspace over its lead limit).
    A lead whose email or LinkedIn URL another lead holds now stays out and is listed in
    `skipped`; the import is `completed` again.
    """
    return restore.restore_import(srv.app.engine, srv.app.settings, import_id, member).to_json()


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (`gzip`, `x-gzip` or `*`, not at q=0)."""
    weights: dict[str, float] = {}
    for part in (header or "").split(","):
        name, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if name:
            weights[name.lower()] = weight
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0.0) > 0


def gunzipped(data: bytes) -> Iterator[bytes]:
    """The stored bytes decompressed a piece at a time (for clients that did not ask for gzip)."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    view = memoryview(data)
    for start in range(0, len(view), CHUNK):
        if out := inflate.decompress(view[start : start + CHUNK]):
            yield out
    if tail := inflate.flush():
        yield tail

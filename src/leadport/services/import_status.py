"""One import as every door shows it: state, progress, counts, and why it failed.

Progress comes from the import row (the worker's heartbeat writes it there), or from the
worker in this process when it has fresher figures (SQLite: the import holds the write lock).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from leadport.db.schema import campaigns, imports, members, users
from leadport.errors import NotFoundError
from leadport.services.jobs import LiveProgress


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def import_status(
    conn: Connection, workspace_id: int, import_id: int, live: LiveProgress | None = None
) -> dict[str, Any]:
    row = conn.execute(
        select(
            imports, users.c.email.label("member_email"), campaigns.c.name.label("campaign_name")
        )
        .outerjoin(members, members.c.id == imports.c.member_id)
        .outerjoin(users, users.c.id == members.c.user_id)
        .outerjoin(campaigns, campaigns.c.id == imports.c.campaign_id)
        .where(imports.c.id == import_id, imports.c.workspace_id == workspace_id)
    ).first()
    if row is None:
        raise NotFoundError(f"No import {import_id} in this workspace.")
    m = row._mapping
    summary = _loads(m["summary"]) or {}
    status = {
        "import_id": str(m["id"]),
        "state": m["state"],
        "source": m["source"],
        "file_name": m["file_name"],
        "dry_run": bool(m["dry_run"]),
        "member": m["member_email"],
        "campaign": m["campaign_name"] or (_loads(m["options"]) or {}).get("campaign"),
        "created_at": m["created_at"],
        "started_at": m["started_at"],
        "finished_at": m["finished_at"],
        "rows_done": m["rows_done"] or 0,
        "rows_total": m["rows_total"],
        "progress_done": m["progress_done"] or 0,
        "progress_total": m["progress_total"],
        "progress_unit": "bytes" if m["source"] == "csv" else "rows",
        "error": m["error"],
        "worker": m["worker"],
        "repeat_of": None if m["repeat_of"] is None else str(m["repeat_of"]),
        "account": summary.get("account"),
        "campaign_counts": summary.get("campaign"),
        "codes": summary.get("codes", {}),
    }
    if live is not None and m["state"] == "running":
        status.update(rows_done=live.rows_done, progress_done=live.done, progress_total=live.total)
    if m["state"] == "completed":  # everything was read, whatever the last progress note said
        total = m["progress_total"] if m["progress_total"] is not None else m["rows_total"]
        status.update(progress_done=total, progress_total=total)
    return status

"""Audit entries for what members do to leads and lists (who, when, what, how many)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from leadport.db.bulk import utcnow
from leadport.db.schema import audit_entries
from leadport.services.directory import Member


def write_audit(
    conn: Connection, member: Member, action: str, subject: str | None, detail: dict[str, Any]
) -> None:
    """One entry in the member's workspace; `detail` names the member as rollbacks' entries do."""
    conn.execute(
        insert(audit_entries).values(
            workspace_id=member.workspace_id,
            member_id=member.id,
            action=action,
            subject=subject,
            detail={"member": member.email, **detail},
            at=utcnow(),
        )
    )

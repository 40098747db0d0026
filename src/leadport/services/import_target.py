"""The import a rollback or restore acts on, who acts, and the audit entry they leave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from leadport.db.schema import imports
from leadport.errors import NotFoundError
from leadport.services import directory
from leadport.services.audit import write_audit


@dataclass(frozen=True)
class ImportRecord:
    id: int
    workspace_id: int
    member_id: int | None
    campaign_id: int | None
    source: str
    state: str
    dry_run: bool
    rolled_back_at: datetime | None
    restore_purged_at: datetime | None


@dataclass(frozen=True)
class Target:
    record: ImportRecord
    workspace: directory.Workspace
    member: directory.Member


# Who acts: a login email, or None for the local admin (the CLI's --as: the import's id names
# its workspace); or a Member an API key authenticated, who sees only their own workspace.
Actor = str | directory.Member | None


def load_target(conn: Connection, import_id: int, actor: Actor) -> Target:
    """The import and the acting member of its workspace, with the member's role as it is now."""
    stmt = select(
        imports.c.id,
        imports.c.workspace_id,
        imports.c.member_id,
        imports.c.campaign_id,
        imports.c.source,
        imports.c.state,
        imports.c.dry_run,
        imports.c.rolled_back_at,
        imports.c.restore_purged_at,
    ).where(imports.c.id == import_id)
    if isinstance(actor, directory.Member):
        stmt = stmt.where(imports.c.workspace_id == actor.workspace_id)
    row = conn.execute(stmt).first()
    if row is None:
        where = " in this workspace" if isinstance(actor, directory.Member) else ""
        raise NotFoundError(f"No import {import_id}{where}.")
    record = ImportRecord(*row[:6], bool(row[6]), aware(row[7]), aware(row[8]))
    workspace = directory.workspace_by_id(conn, record.workspace_id)
    email = actor.email if isinstance(actor, directory.Member) else actor
    return Target(record, workspace, directory.find_member(conn, workspace.id, email))


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives timestamps back without their zone; leadport stores UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def audit(conn: Connection, target: Target, action: str, detail: dict[str, Any]) -> None:
    """An audit entry about the target import, by the member acting on it."""
    write_audit(conn, target.member, action, str(target.record.id), detail)

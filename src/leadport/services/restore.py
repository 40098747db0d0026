"""Restoring a rolled-back import (PRODUCT.md §4), and purging what rollbacks kept.

An admin may restore within `restore_retention_days` of the rollback (`members_can_rollback`
does not extend to restore: bringing back data, possibly another member's, is an admin's
decision). Leads come back with their ids when free, memberships with their status and
activity, changed fields with the import's values; a lead whose email or LinkedIn URL another
lead holds now stays out and is listed, with its memberships.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from leadport.config import Settings
from leadport.db import restore_archive as ra
from leadport.db import rollback_archive
from leadport.db.bulk import utcnow
from leadport.db.engine import lock_workspace, read_transaction, write_transaction
from leadport.db.lead_lookups import count_leads, has_any, select_in
from leadport.db.schema import audit_entries, imports
from leadport.domain.model import ImportState, Source
from leadport.errors import ConflictError
from leadport.services import permissions
from leadport.services.deleted_list import email_hash
from leadport.services.field_values import Direction, run_field_pass
from leadport.services.import_target import Actor, Target, audit, load_target

REASONS = {
    "email_taken": "email already belongs to another lead",
    "linkedin_taken": "LinkedIn URL already belongs to another lead",
    "permanently_deleted": "email was permanently deleted since the rollback",
    "lead_gone": "lead was deleted since the rollback",
    "campaign_gone": "campaign was deleted since the rollback",
    "in_campaign": "lead is already in campaign {campaign}",
    "do_not_contact": "email or its domain is on the do-not-contact list",
}


@dataclass(frozen=True)
class RestoreResult:
    import_id: int
    leads_restored: int
    memberships_restored: int
    fields_restored: int
    skipped: list[dict[str, Any]] = field(default_factory=list)
    kept_newer: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "import_id": str(self.import_id),
            "leads_restored": self.leads_restored,
            "memberships_restored": self.memberships_restored,
            "fields_restored": self.fields_restored,
            "skipped": self.skipped,
            "kept_newer": self.kept_newer,
        }


def check_restore(target: Target, settings: Settings, now: datetime) -> None:
    rec = target.record
    permissions.require_admin(target.member, f"restore import {rec.id}")
    if rec.state != ImportState.ROLLED_BACK:
        raise ConflictError(
            f"Import {rec.id} is {rec.state}, not rolled back; only a rolled-back import can be restored."
        )
    days = settings.restore_retention_days
    if rec.restore_purged_at is not None:
        raise ConflictError(
            f"Import {rec.id} can no longer be restored: what its rollback removed was purged on "
            f"{rec.restore_purged_at:%Y-%m-%d}, after the {days}-day retention period."
        )
    assert rec.rolled_back_at is not None
    if now - rec.rolled_back_at > timedelta(days=days):
        raise ConflictError(
            f"Import {rec.id} can no longer be restored: it was rolled back on "
            f"{rec.rolled_back_at:%Y-%m-%d} and what a rollback removed is kept for {days} days."
        )


def restore_import(
    engine: Engine, settings: Settings, import_id: int, actor: Actor = None
) -> RestoreResult:
    """Bring a rolled-back import back in one transaction."""
    with read_transaction(engine) as conn:
        check_restore(load_target(conn, import_id, actor), settings, utcnow())
    with write_transaction(engine) as conn:
        lock_workspace(conn, load_target(conn, import_id, actor).workspace.id)
        target = load_target(conn, import_id, actor)
        check_restore(target, settings, utcnow())
        _mark_skips(conn, settings, target)
        leads, memberships = ra.insert_restored(conn, import_id)
        fields = run_field_pass(
            conn, target.workspace.id, import_id, Direction(restore=True, now=None), True
        )
        skipped = [_skip_entry(row) for row in ra.skipped_rows(conn, import_id)]
        if target.record.source == Source.CRM:
            ra.forget_removals(conn, import_id)
        rollback_archive.clear_archive(conn, import_id)
        conn.execute(
            update(imports)
            .where(imports.c.id == import_id)
            .values(state=ImportState.COMPLETED, rolled_back_at=None, rolled_back_by=None)
        )
        result = RestoreResult(import_id, leads, memberships, fields.applied, skipped, fields.kept)
        audit(
            conn,
            target,
            "import_restored",
            {
                "leads_restored": leads,
                "memberships_restored": memberships,
                "fields_restored": fields.applied,
                "skipped": len(skipped),
            },
        )
    return result


def _mark_skips(conn: Connection, settings: Settings, target: Target) -> None:
    """Everything that stays out, decided before a single row goes back."""
    x, ws = target.record.id, target.workspace
    ra.mark_lead_skips(conn, x)
    if has_any(conn, "deleted_emails", ws.id):
        _mark_deleted_list(conn, settings, x, ws.id)
    limit = ws.effective_limit
    if limit is not None:
        total = count_leads(conn, ws.id) + ra.count_restorable_leads(conn, x)
        if total > limit:
            raise ConflictError(
                f"Restoring import {x} would bring the workspace to {total} leads, over its "
                f"limit of {limit}."
            )
    ra.remap_lead_ids(conn, x)
    ra.mark_membership_skips(conn, x, ws.id, has_any(conn, "do_not_contact", ws.id))
    ra.remap_membership_and_activity_ids(conn, x)


def _mark_deleted_list(conn: Connection, settings: Settings, import_id: int, ws: int) -> None:
    by_hash = {
        email_hash(settings.secret_key, e): i for i, e in ra.archived_emails(conn, import_id)
    }
    sql = "SELECT email_hash FROM deleted_emails WHERE workspace_id = ? AND email_hash {IN}"
    hits = [by_hash[r[0]] for r in select_in(conn, sql, (ws,), list(by_hash))]
    ra.mark_leads(conn, import_id, hits, "permanently_deleted")


def _skip_entry(row: tuple[Any, ...]) -> dict[str, Any]:
    email, linkedin_url, reason, campaign = row
    return {
        "email": email,
        "linkedin_url": linkedin_url,
        "reason": REASONS.get(reason, reason).format(campaign=campaign),
    }


def purge_rollback_data(engine: Engine, settings: Settings) -> list[int]:
    """Delete what rollbacks kept for restore once the retention period is over; returns the
    imports purged. Backup CSVs stay for download."""
    cutoff = utcnow() - timedelta(days=settings.restore_retention_days)
    with write_transaction(engine) as conn:
        due = [
            (int(r[0]), int(r[1]))
            for r in conn.execute(
                select(imports.c.id, imports.c.workspace_id)
                .where(
                    imports.c.state == ImportState.ROLLED_BACK,
                    imports.c.restore_purged_at.is_(None),
                    imports.c.rolled_back_at < cutoff,
                )
                .order_by(imports.c.id)
                # several servers and workers purge: each import is purged (and audited) once
                .with_for_update(skip_locked=True)
            )
        ]
        now = utcnow()
        for import_id, workspace_id in due:
            rollback_archive.clear_archive(conn, import_id)
            conn.execute(
                update(imports).where(imports.c.id == import_id).values(restore_purged_at=now)
            )
            conn.execute(
                insert(audit_entries).values(
                    workspace_id=workspace_id,
                    member_id=None,
                    action="rollback_data_purged",
                    subject=str(import_id),
                    detail={"retention_days": settings.restore_retention_days},
                    at=now,
                )
            )
    return [import_id for import_id, _ in due]

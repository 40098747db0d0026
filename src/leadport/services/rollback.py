"""Rolling back an import (PRODUCT.md §4): preview, then one atomic write transaction.

The import's memberships go (whatever their status) with their activity; the leads it created
go unless another campaign holds them; every field, custom field and tag it changed on leads
that stay returns to its before-value unless it was changed since. What goes is archived for a
restore and written to a backup CSV; no email goes on the permanently-deleted list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text, update

from leadport.config import Settings
from leadport.crash_points import crash_point
from leadport.db import rollback_archive as archive
from leadport.db.bulk import db_time, utcnow
from leadport.db.engine import WRITE, lock_workspace, read_transaction, write_transaction
from leadport.db.schema import imports
from leadport.domain.model import ROLLBACK_SOURCES, ImportState, Source
from leadport.errors import ConflictError
from leadport.services import permissions
from leadport.services.field_values import Direction, FieldPass, run_field_pass
from leadport.services.import_target import Actor, Target, audit, load_target
from leadport.services.rollback_files import BackupWriter, PendingBackup


@dataclass(frozen=True)
class RollbackResult:
    import_id: int
    preview: bool
    counts: archive.RemovalCounts
    fields_restored: int
    leads_reverted: int
    kept_newer: list[dict[str, Any]] = field(default_factory=list)
    backup_file: str | None = None

    def to_json(self) -> dict[str, Any]:
        c = self.counts
        return {
            "import_id": str(self.import_id),
            "preview": self.preview,
            "memberships": c.memberships,
            "leads_deleted": c.leads_deleted,
            "with_activity": c.with_activity,
            "replied": c.replied,
            "meetings_booked": c.meetings_booked,
            "backup_file": self.backup_file,
            "leads_reverted": self.leads_reverted,
            "fields_restored": self.fields_restored,
            "kept_newer": self.kept_newer,
        }


def check_rollback(target: Target) -> None:
    """Who may roll back, and which imports can be: completed, not manual, not rolled back yet."""
    rec = target.record
    permissions.require_rollback(target.member, target.workspace, rec.member_id, rec.id)
    if rec.state in (ImportState.QUEUED, ImportState.RUNNING):
        raise ConflictError(
            f"Import {rec.id} is still {rec.state}; roll it back once it has finished."
        )
    if rec.state == ImportState.ROLLED_BACK:
        raise ConflictError(f"Import {rec.id} is already rolled back.")
    if rec.dry_run:
        raise ConflictError(
            f"Import {rec.id} was a dry run and changed nothing; there is nothing to roll back."
        )
    if rec.state != ImportState.COMPLETED:
        raise ConflictError(
            f"Import {rec.id} ended as {rec.state} and changed nothing; there is nothing to roll back."
        )
    if rec.source not in ROLLBACK_SOURCES:
        raise ConflictError(
            f"Import {rec.id} was entered by hand (source {rec.source}); only imports from csv, "
            "xlsx, api or crm can be rolled back."
        )


def _checked(conn: Connection, import_id: int, actor: Actor) -> Target:
    target = load_target(conn, import_id, actor)
    check_rollback(target)
    return target


def ensure_rollback_allowed(engine: Engine, import_id: int, actor: Actor = None) -> None:
    """Refuse now, without waiting for the write lock (a running import holds it)."""
    with read_transaction(engine) as conn:
        _checked(conn, import_id, actor)


def preview_rollback(engine: Engine, import_id: int, actor: Actor = None) -> RollbackResult:
    """What a rollback would do now; the field pass runs for real and is rolled back."""
    ensure_rollback_allowed(engine, import_id, actor)
    with engine.connect().execution_options(**{WRITE: True}) as conn:
        trans = conn.begin()
        try:
            target = _locked(conn, import_id, actor)
            counts = archive.removal_counts(conn, import_id)
            archive.archive_field_changes(conn, import_id, target.workspace.id)
            fields = _revert_fields(conn, target, write=False)
        finally:
            trans.rollback()
    return RollbackResult(import_id, True, counts, fields.applied, fields.leads, fields.kept, None)


def roll_back(
    engine: Engine, settings: Settings, import_id: int, actor: Actor = None
) -> RollbackResult:
    """Roll the import back in one transaction and return what was done."""
    ensure_rollback_allowed(engine, import_id, actor)
    backup: PendingBackup | None = None
    try:
        with write_transaction(engine) as conn:
            target = _locked(conn, import_id, actor)
            activity = archive.activity_counts(conn, import_id)
            writer = BackupWriter(
                conn,
                settings,
                (target.workspace.id, import_id),
                utcnow(),
                with_activity=activity[0] > 0,
            )
            try:
                counts = _remove(conn, target, writer, activity)
                crash_point("rollback")
                archive.archive_field_changes(conn, import_id, target.workspace.id)
                # Read beside the statements above (see BackupWriter); the field pass is Python
                # work, which would only take turns with the backup's.
                backup = writer.finish(conn)
                fields = _revert_fields(conn, target, write=True)
            except BaseException:
                writer.abandon()
                raise
            _finish(conn, target, counts, fields, backup)
    except BaseException:
        if backup is not None:
            backup.discard()
        raise
    path = backup.publish()
    return RollbackResult(
        import_id, False, counts, fields.applied, fields.leads, fields.kept, str(path)
    )


def _locked(conn: Connection, import_id: int, actor: Actor) -> Target:
    """Take the workspace's write lock, then check again: the state may have moved meanwhile."""
    workspace_id = load_target(conn, import_id, actor).workspace.id
    lock_workspace(conn, workspace_id)
    return _checked(conn, import_id, actor)


def _remove(
    conn: Connection, target: Target, writer: BackupWriter, activity: tuple[int, int, int]
) -> archive.RemovalCounts:
    rec = target.record
    memberships, leads = archive.archive_removed(conn, rec.id)
    if rec.source == Source.CRM:
        archive.remember_removals(conn, rec.id, utcnow())
    writer.before_deletes(conn)
    archive.delete_removed(conn, rec.id)
    return archive.RemovalCounts(memberships, leads, *activity)


def _revert_fields(conn: Connection, target: Target, *, write: bool) -> FieldPass:
    """Put back the archived fields still at the import's value, forget the rest (run after
    `archive_field_changes`)."""
    rec = target.record
    direction = Direction(restore=False, now=db_time(conn, utcnow()))
    fields = run_field_pass(conn, target.workspace.id, rec.id, direction, write)
    if write and fields.not_applied:
        conn.execute(
            text(
                "DELETE FROM archived_field_values"
                " WHERE import_id = :x AND lead_id = :lead AND field = :field"
            ).bindparams(bindparam("lead"), bindparam("field")),
            [{"x": rec.id, "lead": lead, "field": name} for lead, name in fields.not_applied],
        )
    return fields


def _finish(
    conn: Connection,
    target: Target,
    counts: archive.RemovalCounts,
    fields: FieldPass,
    backup: PendingBackup,
) -> None:
    now = utcnow()
    conn.execute(
        update(imports)
        .where(imports.c.id == target.record.id)
        .values(
            state=ImportState.ROLLED_BACK,
            rolled_back_at=now,
            rolled_back_by=target.member.id,
            backup_path=str(backup.final),
            backup_file_id=backup.file_id,
            restore_purged_at=None,
        )
    )
    audit(
        conn,
        target,
        "import_rolled_back",
        {
            "memberships": counts.memberships,
            "leads_deleted": counts.leads_deleted,
            "with_activity": counts.with_activity,
            "fields_restored": fields.applied,
            "kept_newer": len(fields.kept),
            "backup_file_id": backup.file_id,
        },
    )

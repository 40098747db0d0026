"""Set-based statements of a rollback: count, archive, delete. One statement per table, whatever
the import's size, so a million-row rollback never loops in Python over its rows.

Every statement is scoped by the import id (`:x`); the caller holds the workspace's write lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text

from leadport.db.engine import is_sqlite

LEAD_COLUMNS = (
    "id, workspace_id, email, linkedin_url, linkedin_key, first_name, last_name, company_name, "
    "company_domain, job_title, phone, custom_fields, tags, name_key, email_status, "
    "created_import_id, created_at, updated_at"
)

# Lead `l` was created by the import and is in no campaign other than through this import's
# memberships: the rollback deletes it. import_row_leads (import_rows, keyed by import, with the
# rows stored a batch per record expanded: migration 0004) finds such leads without a scan of
# every lead in the database.
CREATED_LEAD = """
    l.id IN (SELECT r.lead_id FROM import_row_leads r WHERE r.import_id = :x AND r.code = 'added')
      AND l.created_import_id = :x
      AND NOT EXISTS (
          SELECT 1 FROM campaign_leads cl
          WHERE cl.lead_id = l.id AND (cl.import_id IS NULL OR cl.import_id <> :x))
"""
_CREATED_LEADS = "FROM leads l WHERE " + CREATED_LEAD

_ACTIVITY_COUNTS = """
    SELECT count(DISTINCT a.campaign_lead_id),
           count(DISTINCT CASE WHEN a.type = 'replied' THEN a.campaign_lead_id END),
           count(DISTINCT CASE WHEN a.type = 'meeting_booked' THEN a.campaign_lead_id END)
    FROM activities a JOIN campaign_leads cl ON cl.id = a.campaign_lead_id
    WHERE cl.import_id = :x
"""

# Per lead and field, the value before the import's first change and after its last one (a lead
# met twice in one file is changed twice), on leads that existed before the import and still do.
# (A null-safe "differ" spelled out: SQLite only knows IS DISTINCT FROM since 3.39.)
_FIELD_CHANGES = """
    INSERT INTO archived_field_values
        (import_id, lead_id, field, before_value, after_value, lead_updated_at)
    SELECT :x, g.lead_id, g.field, first.old_value, last.new_value, l.updated_at
    FROM (SELECT lead_id, field, min(id) AS lo, max(id) AS hi
          FROM lead_changes WHERE import_id = :x GROUP BY lead_id, field) g
    JOIN lead_changes first ON first.id = g.lo
    JOIN lead_changes last ON last.id = g.hi
    JOIN leads l ON l.id = g.lead_id
    WHERE l.workspace_id = :w
      AND (l.created_import_id IS NULL OR l.created_import_id <> :x)
      AND (first.old_value <> last.new_value
           OR (first.old_value IS NULL) <> (last.new_value IS NULL))
"""


@dataclass(frozen=True)
class RemovalCounts:
    memberships: int
    leads_deleted: int
    with_activity: int
    replied: int
    meetings_booked: int


def removal_counts(conn: Connection, import_id: int) -> RemovalCounts:
    """What a rollback of the import would remove, as it stands now."""
    p = {"x": import_id}
    memberships = conn.execute(
        text("SELECT count(*) FROM campaign_leads WHERE import_id = :x"), p
    ).scalar_one()
    leads = conn.execute(text("SELECT count(*) " + _CREATED_LEADS), p).scalar_one()
    return RemovalCounts(memberships, leads, *activity_counts(conn, import_id))


def activity_counts(conn: Connection, import_id: int) -> tuple[int, int, int]:
    """Memberships of the import with any activity, with a reply, with a meeting booked."""
    with_activity, replied, meetings = conn.execute(text(_ACTIVITY_COUNTS), {"x": import_id}).one()
    return int(with_activity), int(replied), int(meetings)


def archive_field_changes(conn: Connection, import_id: int, workspace_id: int) -> int:
    """Every field the import changed on a lead that stays, as (before, after), for the revert."""
    result = conn.execute(text(_FIELD_CHANGES), {"x": import_id, "w": workspace_id})
    return result.rowcount


def archive_removed(conn: Connection, import_id: int) -> tuple[int, int]:
    """Copy the import's memberships, their activity and the leads to delete into the archive;
    (memberships, leads) copied, as `removal_counts` counts them."""
    p = {"x": import_id}
    memberships = conn.execute(
        text(
            "INSERT INTO archived_memberships"
            " (import_id, id, campaign_id, lead_id, status, created_at, updated_at)"
            " SELECT :x, id, campaign_id, lead_id, status, created_at, updated_at"
            " FROM campaign_leads WHERE import_id = :x"
        ),
        p,
    ).rowcount
    conn.execute(
        text(
            "INSERT INTO archived_activities (import_id, id, campaign_lead_id, type, at)"
            " SELECT :x, a.id, a.campaign_lead_id, a.type, a.at"
            " FROM activities a JOIN campaign_leads cl ON cl.id = a.campaign_lead_id"
            " WHERE cl.import_id = :x"
        ),
        p,
    )
    leads = conn.execute(
        text(
            f"INSERT INTO archived_leads (import_id, {LEAD_COLUMNS})"
            f" SELECT :x, {_prefixed('l')} {_CREATED_LEADS}"
        ),
        p,
    ).rowcount
    return memberships, leads


def delete_removed(conn: Connection, import_id: int) -> None:
    """Delete what archive_removed copied: activity, then memberships, then leads."""
    p = {"x": import_id}
    conn.execute(
        text(
            "DELETE FROM activities WHERE campaign_lead_id IN"
            " (SELECT id FROM archived_memberships WHERE import_id = :x)"
        ),
        p,
    )
    conn.execute(text("DELETE FROM campaign_leads WHERE import_id = :x"), p)
    conn.execute(
        text("DELETE FROM leads WHERE id IN (SELECT id FROM archived_leads WHERE import_id = :x)"),
        p,
    )


def archived_lead_count(conn: Connection, import_id: int) -> int:
    return int(
        conn.execute(
            text("SELECT count(*) FROM archived_leads WHERE import_id = :x"), {"x": import_id}
        ).scalar_one()
    )


def remember_removals(conn: Connection, import_id: int, now: object) -> None:
    """A rolled-back sync run: its leads go into the campaign's removal memory (PRODUCT.md §6).

    The key is the lead's normalized email, else its canonical LinkedIn key. Runs after
    archive_removed and before delete_removed, while the leads are still there."""
    conn.execute(
        text(
            "INSERT INTO removal_memory (campaign_id, lead_key, created_at)"
            " SELECT DISTINCT m.campaign_id, coalesce(l.email, l.linkedin_key), :now"
            " FROM archived_memberships m JOIN leads l ON l.id = m.lead_id"
            " WHERE m.import_id = :x AND coalesce(l.email, l.linkedin_key) IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM removal_memory r WHERE r.campaign_id = m.campaign_id"
            "                 AND r.lead_key = coalesce(l.email, l.linkedin_key))"
        ),
        {"x": import_id, "now": now},
    )


def clear_archive(conn: Connection, import_id: int) -> None:
    for table in (
        "archived_activities",
        "archived_memberships",
        "archived_leads",
        "archived_field_values",
    ):
        conn.execute(text(f"DELETE FROM {table} WHERE import_id = :x"), {"x": import_id})


@contextmanager
def page_cache(conn: Connection, kib: int) -> Iterator[None]:
    """This SQLite connection's page cache at `kib` KiB until the block ends."""
    if not is_sqlite(conn):
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {before}")


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in LEAD_COLUMNS.split(","))

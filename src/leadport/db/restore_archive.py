"""Set-based statements of a restore: mark what cannot come back, give new ids where the old ones
are taken, and copy the archive back into the live tables.

`restore_skip` on an archive row names why it stays out (a reason code); rows are marked in
the restore's transaction, which also deletes the archive at its end.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, bindparam, text, update

from leadport.db.bulk import reserve_ids
from leadport.db.engine import is_sqlite
from leadport.db.rollback_archive import LEAD_COLUMNS
from leadport.db.schema import import_rows

_LEAD_SKIPS = (
    ("email_taken", "email", "email"),
    ("linkedin_taken", "linkedin_key", "linkedin_key"),
)

# (reason, condition on archived_memberships m) in order: the first that applies wins.
_MEMBERSHIP_SKIPS = (
    (
        "lead_skipped",
        "m.lead_id IN (SELECT id FROM archived_leads a"
        " WHERE a.import_id = :x AND a.restore_skip IS NOT NULL)",
    ),
    (
        "lead_gone",
        "m.lead_id NOT IN (SELECT id FROM archived_leads a WHERE a.import_id = :x)"
        " AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = m.lead_id)",
    ),
    ("campaign_gone", "NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.id = m.campaign_id)"),
    (
        "in_campaign",
        "EXISTS (SELECT 1 FROM campaign_leads cl"
        " WHERE cl.campaign_id = m.campaign_id AND cl.lead_id = m.lead_id)",
    ),
)


def mark_lead_skips(conn: Connection, import_id: int) -> None:
    """Archived leads whose email or LinkedIn URL another lead of the workspace holds now."""
    for reason, column, live in _LEAD_SKIPS:
        conn.execute(
            text(
                f"UPDATE archived_leads SET restore_skip = :reason"
                f" WHERE import_id = :x AND restore_skip IS NULL AND {column} IS NOT NULL"
                f" AND EXISTS (SELECT 1 FROM leads l WHERE l.workspace_id ="
                f" archived_leads.workspace_id AND l.{live} = archived_leads.{column})"
            ),
            {"x": import_id, "reason": reason},
        )


def mark_leads(conn: Connection, import_id: int, ids: list[int], reason: str) -> None:
    if ids:
        conn.execute(
            text(
                "UPDATE archived_leads SET restore_skip = :reason"
                " WHERE import_id = :x AND id = :id AND restore_skip IS NULL"
            ).bindparams(bindparam("id")),
            [{"x": import_id, "id": i, "reason": reason} for i in ids],
        )


def archived_emails(conn: Connection, import_id: int) -> list[tuple[int, str]]:
    return [
        (r[0], r[1])
        for r in conn.execute(
            text(
                "SELECT id, email FROM archived_leads"
                " WHERE import_id = :x AND restore_skip IS NULL AND email IS NOT NULL"
            ),
            {"x": import_id},
        )
    ]


def mark_membership_skips(conn: Connection, import_id: int, workspace_id: int, dnc: bool) -> None:
    """Run after the leads' ids are final (remap_lead_ids)."""
    for reason, condition in _MEMBERSHIP_SKIPS:
        _mark_memberships(conn, import_id, reason, condition)
    if not dnc:
        return
    domain = "substr({e}, instr({e}, '@') + 1)" if is_sqlite(conn) else "split_part({e}, '@', 2)"
    for source in ("archived_leads", "leads"):
        scope = "l.import_id = :x AND " if source == "archived_leads" else ""
        condition = (
            f"EXISTS (SELECT 1 FROM {source} l JOIN do_not_contact d ON d.workspace_id = :w"
            f" AND (d.value = l.email OR d.value = {domain.format(e='l.email')})"
            f" WHERE {scope}l.id = m.lead_id)"
        )
        _mark_memberships(conn, import_id, "do_not_contact", condition, w=workspace_id)


def _mark_memberships(
    conn: Connection, import_id: int, reason: str, condition: str, **params: Any
) -> None:
    conn.execute(
        text(
            "UPDATE archived_memberships SET restore_skip = :reason WHERE import_id = :x"
            " AND restore_skip IS NULL AND id IN"
            f" (SELECT m.id FROM archived_memberships m WHERE m.import_id = :x AND {condition})"
        ),
        {"x": import_id, "reason": reason, **params},
    )


def remap_lead_ids(conn: Connection, import_id: int) -> list[tuple[int, int]]:
    """New ids for archived leads whose id another lead holds now; memberships and the import's
    report rows follow. Returns (old, new) pairs."""
    pairs = _remap(conn, import_id, "archived_leads", "leads", "a.restore_skip IS NULL")
    _apply(conn, import_id, pairs, "UPDATE archived_leads SET id = :new")
    _apply(conn, import_id, pairs, "UPDATE archived_memberships SET lead_id = :new", "lead_id")
    _apply(conn, import_id, pairs, "UPDATE import_rows SET lead_id = :new", "lead_id")
    _remap_taken_rows(conn, import_id, dict(pairs))
    return pairs


def _remap_taken_rows(conn: Connection, import_id: int, new_ids: dict[int, int]) -> None:
    """The same for rows stored a batch per record (`taken_rows`): each record that names a
    remapped lead is written back whole (a restore that must remap is rare)."""
    if not new_ids:
        return
    records = conn.execute(
        text(
            "SELECT row, taken_rows FROM import_rows"
            " WHERE import_id = :x AND taken_rows IS NOT NULL"
        ),
        {"x": import_id},
    ).all()
    for first_row, taken in records:
        rows = json.loads(taken) if isinstance(taken, str) else taken
        if not any(lead_id in new_ids for _, lead_id, _ in rows):
            continue
        remapped = [
            [row, new_ids.get(lead_id, lead_id), warnings] for row, lead_id, warnings in rows
        ]
        conn.execute(
            update(import_rows)
            .where(import_rows.c.import_id == import_id, import_rows.c.row == first_row)
            .values(taken_rows=remapped)
        )


def remap_membership_and_activity_ids(conn: Connection, import_id: int) -> None:
    pairs = _remap(
        conn, import_id, "archived_memberships", "campaign_leads", "a.restore_skip IS NULL"
    )
    _apply(conn, import_id, pairs, "UPDATE archived_memberships SET id = :new")
    _apply(
        conn,
        import_id,
        pairs,
        "UPDATE archived_activities SET campaign_lead_id = :new",
        "campaign_lead_id",
    )
    pairs = _remap(conn, import_id, "archived_activities", "activities", "1 = 1")
    _apply(conn, import_id, pairs, "UPDATE archived_activities SET id = :new")


def _remap(
    conn: Connection, import_id: int, archive: str, live: str, condition: str
) -> list[tuple[int, int]]:
    taken = [
        r[0]
        for r in conn.execute(
            text(
                f"SELECT a.id FROM {archive} a WHERE a.import_id = :x AND {condition}"
                f" AND EXISTS (SELECT 1 FROM {live} l WHERE l.id = a.id) ORDER BY a.id"
            ),
            {"x": import_id},
        )
    ]
    if not taken:
        return []
    if is_sqlite(conn):  # ids above both the live table's and this archive's
        start = (
            1
            + conn.execute(
                text(
                    f"SELECT max(coalesce((SELECT max(id) FROM {live}), 0),"
                    f" coalesce((SELECT max(id) FROM {archive} WHERE import_id = :x), 0))"
                ),
                {"x": import_id},
            ).scalar_one()
        )
        fresh = list(range(start, start + len(taken)))
    else:
        fresh = reserve_ids(conn, live, len(taken))
    return list(zip(taken, fresh, strict=True))


def _apply(
    conn: Connection, import_id: int, pairs: list[tuple[int, int]], sql: str, column: str = "id"
) -> None:
    if pairs:
        conn.execute(
            text(f"{sql} WHERE import_id = :x AND {column} = :old").bindparams(
                bindparam("old"), bindparam("new")
            ),
            [{"x": import_id, "old": old, "new": new} for old, new in pairs],
        )


def count_restorable_leads(conn: Connection, import_id: int) -> int:
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM archived_leads WHERE import_id = :x AND restore_skip IS NULL"
            ),
            {"x": import_id},
        ).scalar_one()
    )


def insert_restored(conn: Connection, import_id: int) -> tuple[int, int]:
    """Copy back the leads, memberships and activity not marked; (leads, memberships) counts."""
    p = {"x": import_id}
    leads = conn.execute(
        text(
            f"INSERT INTO leads ({LEAD_COLUMNS}) SELECT {LEAD_COLUMNS} FROM archived_leads"
            " WHERE import_id = :x AND restore_skip IS NULL"
        ),
        p,
    ).rowcount
    memberships = conn.execute(
        text(
            "INSERT INTO campaign_leads"
            " (id, campaign_id, lead_id, status, import_id, created_at, updated_at)"
            " SELECT id, campaign_id, lead_id, status, import_id, created_at, updated_at"
            " FROM archived_memberships WHERE import_id = :x AND restore_skip IS NULL"
        ),
        p,
    ).rowcount
    conn.execute(
        text(
            "INSERT INTO activities (id, campaign_lead_id, type, at)"
            " SELECT a.id, a.campaign_lead_id, a.type, a.at FROM archived_activities a"
            " JOIN archived_memberships m ON m.import_id = a.import_id AND m.id = a.campaign_lead_id"
            " WHERE a.import_id = :x AND m.restore_skip IS NULL"
        ),
        p,
    )
    return leads, memberships


def skipped_rows(conn: Connection, import_id: int) -> list[tuple[Any, ...]]:
    """(email, linkedin_url, reason, campaign) of each lead and membership left out."""
    rows = conn.execute(
        text(
            "SELECT email, linkedin_url, restore_skip, NULL FROM archived_leads"
            " WHERE import_id = :x AND restore_skip IS NOT NULL"
            " UNION ALL"
            " SELECT coalesce(a.email, l.email), coalesce(a.linkedin_url, l.linkedin_url),"
            " m.restore_skip, c.name FROM archived_memberships m"
            " LEFT JOIN archived_leads a ON a.import_id = m.import_id AND a.id = m.lead_id"
            # a gone lead's id may belong to a newer lead now (SQLite reuses the highest id)
            " LEFT JOIN leads l ON l.id = m.lead_id AND m.restore_skip <> 'lead_gone'"
            " LEFT JOIN campaigns c ON c.id = m.campaign_id"
            " WHERE m.import_id = :x AND m.restore_skip IS NOT NULL"
            " AND m.restore_skip <> 'lead_skipped'"
        ),
        {"x": import_id},
    )
    return [tuple(r) for r in rows]


def forget_removals(conn: Connection, import_id: int) -> None:
    """A restored sync run's memberships leave the campaign's removal memory again."""
    conn.execute(
        text(
            "DELETE FROM removal_memory WHERE EXISTS (SELECT 1 FROM archived_memberships m"
            " JOIN leads l ON l.id = m.lead_id WHERE m.import_id = :x AND m.restore_skip IS NULL"
            " AND m.campaign_id = removal_memory.campaign_id"
            " AND coalesce(l.email, l.linkedin_key) = removal_memory.lead_key)"
        ),
        {"x": import_id},
    )

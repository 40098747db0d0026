"""Statements of a lead's deletion: its memberships and activity go with it, and what rollbacks
and restores keep about it is made safe first.

Lead ids can come back: SQLite hands the highest free id to the next lead, so a lead created
after a deletion may get the deleted lead's id. Rows that name a lead by id for a later rollback
or restore must therefore not outlive it: its `lead_changes` (a rollback would put the deleted
lead's old values on the newcomer), the field values a rollback archived for a restore, and
archived memberships of a rolled-back import that point at it (marked `lead_gone`, so the
restore lists them instead of putting the newcomer in the campaign).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Membership:
    id: int
    campaign_id: int
    campaign: str
    status: str


def memberships(conn: Connection, lead_id: int) -> list[Membership]:
    rows = conn.execute(
        text(
            "SELECT cl.id, c.id, c.name, cl.status FROM campaign_leads cl"
            " JOIN campaigns c ON c.id = cl.campaign_id WHERE cl.lead_id = :lead"
            " ORDER BY cl.created_at, cl.id"
        ),
        {"lead": lead_id},
    )
    return [Membership(*row) for row in rows]


def count_activities(conn: Connection, lead_id: int) -> int:
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM activities WHERE campaign_lead_id IN"
                " (SELECT id FROM campaign_leads WHERE lead_id = :lead)"
            ),
            {"lead": lead_id},
        ).scalar_one()
    )


def remember_removal(conn: Connection, campaign_ids: list[int], lead_key: str, now: Any) -> None:
    """The lead goes into each campaign's removal memory (PRODUCT.md §6), keyed as a rolled-back
    sync run keys it: the normalized email, else the canonical LinkedIn key."""
    for campaign_id in campaign_ids:
        conn.execute(
            text(
                "INSERT INTO removal_memory (campaign_id, lead_key, created_at)"
                " SELECT :c, :k, :now WHERE NOT EXISTS (SELECT 1 FROM removal_memory"
                " WHERE campaign_id = :c AND lead_key = :k)"
            ),
            {"c": campaign_id, "k": lead_key, "now": now},
        )


def forget_lead_history(conn: Connection, lead_id: int) -> int:
    """Drop or fence off what rollbacks and restores keep about the lead; returns how many
    archived memberships a restore will now list as `lead_gone`."""
    p = {"lead": lead_id}
    conn.execute(text("DELETE FROM lead_changes WHERE lead_id = :lead"), p)
    conn.execute(text("DELETE FROM archived_field_values WHERE lead_id = :lead"), p)
    return conn.execute(
        text(
            "UPDATE archived_memberships SET restore_skip = 'lead_gone'"
            " WHERE lead_id = :lead AND restore_skip IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM archived_leads a WHERE a.import_id = archived_memberships.import_id"
            " AND a.id = archived_memberships.lead_id)"
        ),
        p,
    ).rowcount


def delete_lead_rows(conn: Connection, lead_id: int) -> None:
    """Activity, then memberships, then the lead (no reliance on ON DELETE CASCADE)."""
    p = {"lead": lead_id}
    conn.execute(
        text(
            "DELETE FROM activities WHERE campaign_lead_id IN"
            " (SELECT id FROM campaign_leads WHERE lead_id = :lead)"
        ),
        p,
    )
    conn.execute(text("DELETE FROM campaign_leads WHERE lead_id = :lead"), p)
    conn.execute(text("DELETE FROM leads WHERE id = :lead"), p)

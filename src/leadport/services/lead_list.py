"""The workspace's leads a page at a time, each as `lead show` gives it (PRODUCT.md §7).

Pages follow the lead id (keyset): a page is the leads after a given id, so reading on while
imports add leads or members delete them never skips or repeats a lead that stays, and a page
costs the same at the millionth lead as at the first. A page is two queries: its leads, then
the memberships of all of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, select

from leadport.db.engine import read_transaction
from leadport.db.schema import campaign_leads, campaigns, leads
from leadport.domain.identity import normalize_email
from leadport.errors import UsageError
from leadport.services import permissions
from leadport.services.directory import Member, Workspace
from leadport.services.leads import (
    CampaignRef,
    LeadCampaign,
    LeadDetail,
    find_campaign,
    lead_detail,
)

DEFAULT_PAGE = 100
MAX_PAGE = 1000


@dataclass(frozen=True)
class LeadPage:
    leads: list[LeadDetail]
    next_after: int | None  # the `after` of the next page; None on the last one

    def to_json(self) -> dict[str, Any]:
        return {
            "leads": [lead.to_json() for lead in self.leads],
            "next": None if self.next_after is None else str(self.next_after),
        }


def list_leads(
    engine: Engine,
    workspace: Workspace,
    member: Member,
    *,
    campaign: CampaignRef | None = None,
    email: str | None = None,
    after: int = 0,
    limit: int = DEFAULT_PAGE,
) -> LeadPage:
    """Up to `limit` leads with an id above `after`, by id; `campaign` keeps that campaign's
    leads, `email` the lead with that email (normalized as an import normalizes it)."""
    if not 1 <= limit <= MAX_PAGE:
        raise UsageError(f"A page holds 1 to {MAX_PAGE} leads, not {limit}.")
    permissions.require_lead_work(member, workspace, "see leads")
    with read_transaction(engine) as conn:
        scope: list[ColumnElement[bool]] = [leads.c.workspace_id == workspace.id]
        stmt = select(leads)
        if campaign is not None:
            target = find_campaign(conn, workspace, campaign)
            stmt = stmt.join(campaign_leads, campaign_leads.c.lead_id == leads.c.id)
            scope.append(campaign_leads.c.campaign_id == target.id)
        if email is not None:
            scope.append(leads.c.email == (normalize_email(email).value or email.strip()))
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                stmt.where(*scope, leads.c.id > after).order_by(leads.c.id).limit(limit + 1)
            )
        ]
        page = rows[:limit]
        held = _memberships(conn, [row["id"] for row in page])
    more = len(rows) > limit
    return LeadPage(
        [lead_detail(row, held.get(row["id"], [])) for row in page],
        page[-1]["id"] if more else None,
    )


def _memberships(conn: Connection, lead_ids: list[int]) -> dict[int, list[LeadCampaign]]:
    """Each lead's memberships in the order it joined them (as `lead_campaigns`), in one query."""
    if not lead_ids:
        return {}
    rows = conn.execute(
        select(
            campaign_leads.c.lead_id,
            campaigns.c.name,
            campaign_leads.c.status,
            campaign_leads.c.import_id,
        )
        .join(campaigns, campaigns.c.id == campaign_leads.c.campaign_id)
        .where(campaign_leads.c.lead_id.in_(lead_ids))
        .order_by(campaign_leads.c.lead_id, campaign_leads.c.created_at, campaign_leads.c.id)
    )
    held: dict[int, list[LeadCampaign]] = defaultdict(list)
    for lead_id, name, status, import_id in rows:
        held[lead_id].append(LeadCampaign(name, status, import_id))
    return held

"""One lead as every door shows it, and its status in a campaign (PRODUCT.md §1, §7).

A lead is named by its id (the API), or by an email or LinkedIn profile URL as a person types
it (the CLI): both are normalized as an import normalizes them, so `John@X.com ` finds
`john@x.com`. Every function takes the workspace and the acting member, checks the member's
role here (services/permissions.py) and raises leadport.errors, never prints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from leadport.db.bulk import utcnow
from leadport.db.engine import read_transaction, write_transaction
from leadport.db.schema import campaign_leads, campaigns, leads
from leadport.domain.identity import normalize_email, normalize_linkedin
from leadport.domain.model import LEAD_FIELDS, LeadStatus
from leadport.errors import NotFoundError, UsageError
from leadport.services import directory, permissions
from leadport.services.directory import Member, Workspace

# A lead as given: its id, or an email or LinkedIn URL as typed.
LeadRef = int | str
# A campaign as given: its id, or its name.
CampaignRef = int | str

STATUSES = ", ".join(LeadStatus)


@dataclass(frozen=True)
class FoundLead:
    """A lead's row as found; `name` is how messages call it."""

    id: int
    email: str | None
    linkedin_key: str | None
    row: dict[str, Any]

    @property
    def name(self) -> str:
        return self.email or self.row.get("linkedin_url") or f"lead {self.id}"


@dataclass(frozen=True)
class LeadCampaign:
    campaign: str
    status: str
    import_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "status": self.status,
            "import_id": None if self.import_id is None else str(self.import_id),
        }


@dataclass(frozen=True)
class LeadDetail:
    id: int
    fields: dict[str, str | None]  # every LEAD_FIELDS name, None when absent
    custom_fields: dict[str, str]
    tags: list[str]
    campaigns: list[LeadCampaign]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            **{name: self.fields.get(name) for name in LEAD_FIELDS},
            "custom_fields": dict(self.custom_fields),
            "tags": list(self.tags),
            "campaigns": [c.to_json() for c in self.campaigns],
        }


@dataclass(frozen=True)
class StatusChange:
    lead_id: int
    lead: str  # the lead's email, else its LinkedIn URL
    campaign: str
    old_status: str
    status: str

    @property
    def changed(self) -> bool:
        return self.old_status != self.status

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_id": str(self.lead_id),
            "lead": self.lead,
            "campaign": self.campaign,
            "old_status": self.old_status,
            "status": self.status,
        }


def _loads(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


def find_lead(conn: Connection, workspace: Workspace, lead: LeadRef) -> FoundLead:
    """The lead named by id, email or LinkedIn URL, in this workspace only."""
    if isinstance(lead, int):
        condition, missing = leads.c.id == lead, f"id {lead}"
    elif "@" in lead:
        email = normalize_email(lead).value or lead.strip()
        condition, missing = leads.c.email == email, f"email {email}"
    else:
        key = normalize_linkedin(lead).key
        if key is None:
            raise UsageError(
                f"{lead.strip()!r} is neither an email address nor a LinkedIn profile URL."
            )
        condition, missing = leads.c.linkedin_key == key, f"LinkedIn URL {key}"
    row = conn.execute(select(leads).where(leads.c.workspace_id == workspace.id, condition)).first()
    if row is None:
        raise NotFoundError(f"No lead with {missing} in this workspace.")
    m = dict(row._mapping)
    return FoundLead(m["id"], m["email"], m["linkedin_key"], m)


def find_campaign(
    conn: Connection, workspace: Workspace, campaign: CampaignRef
) -> directory.Campaign:
    if isinstance(campaign, int):
        return directory.campaign_by_id(conn, workspace.id, campaign)
    return directory.find_campaign(conn, workspace.id, campaign)


def lead_campaigns(conn: Connection, lead_id: int) -> list[LeadCampaign]:
    """The lead's memberships in the order it joined them."""
    rows = conn.execute(
        select(campaigns.c.name, campaign_leads.c.status, campaign_leads.c.import_id)
        .join(campaigns, campaigns.c.id == campaign_leads.c.campaign_id)
        .where(campaign_leads.c.lead_id == lead_id)
        .order_by(campaign_leads.c.created_at, campaign_leads.c.id)
    )
    return [LeadCampaign(name, status, import_id) for name, status, import_id in rows]


def show_lead(engine: Engine, workspace: Workspace, member: Member, lead: LeadRef) -> LeadDetail:
    """A lead with its fields, custom fields, tags and campaigns."""
    permissions.require_lead_work(member, workspace, "see leads")
    with read_transaction(engine) as conn:
        found = find_lead(conn, workspace, lead)
        return lead_detail(found.row, lead_campaigns(conn, found.id))


def lead_detail(row: Mapping[str, Any], memberships: list[LeadCampaign]) -> LeadDetail:
    """A lead's row (every column of `leads`) and its memberships, as every door shows them."""
    return LeadDetail(
        row["id"],
        {name: row[name] for name in LEAD_FIELDS},
        dict(_loads(row["custom_fields"], {})),
        list(_loads(row["tags"], [])),
        memberships,
    )


def parse_status(value: str) -> LeadStatus:
    """A status as typed: case, spaces, `-` and `_` do not matter (`not interested`)."""
    wanted = "".join(ch for ch in value.lower() if ch not in " -_")
    for status in LeadStatus:
        if status.lower() == wanted:
            return status
    raise UsageError(f"{value.strip()!r} is not a lead status; use one of {STATUSES}.")


def set_lead_status(
    engine: Engine,
    workspace: Workspace,
    member: Member,
    lead: LeadRef,
    *,
    campaign: CampaignRef,
    status: str,
) -> StatusChange:
    """Set the lead's status in one campaign (what a sequencer reports); updated_at moves only
    when the status does."""
    new = parse_status(status)
    permissions.require_lead_work(member, workspace, "change lead statuses")
    with write_transaction(engine) as conn:
        target = find_campaign(conn, workspace, campaign)
        found = find_lead(conn, workspace, lead)
        row = conn.execute(
            select(campaign_leads.c.id, campaign_leads.c.status).where(
                campaign_leads.c.campaign_id == target.id, campaign_leads.c.lead_id == found.id
            )
        ).first()
        if row is None:
            raise NotFoundError(f"{found.name} is not in campaign {target.name!r}.")
        if row.status != new:
            conn.execute(
                update(campaign_leads)
                .where(campaign_leads.c.id == row.id)
                .values(status=str(new), updated_at=utcnow())
            )
    return StatusChange(found.id, found.name, target.name, row.status, str(new))

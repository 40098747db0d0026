"""Deleting a lead (PRODUCT.md §1): the lead, its memberships and their activity, in one write
transaction under the workspace's lock (the one imports and rollbacks take).

A deletion by a member removes the lead from each campaign it was in, so it goes into those
campaigns' removal memory (§6) and a sync does not bring it back there. A permanent deletion
puts the email's keyed hash on the permanently-deleted list instead: that list refuses the email
at every import, syncs included, and leadport keeps no plain copy of the address for it (no
removal memory entry, no address in the audit entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from leadport.config import Settings
from leadport.db import lead_removal
from leadport.db.bulk import utcnow
from leadport.db.engine import lock_workspace, write_transaction
from leadport.errors import ConflictError
from leadport.services import deleted_list, permissions
from leadport.services.audit import write_audit
from leadport.services.directory import Member, Workspace
from leadport.services.leads import LeadRef, find_lead


@dataclass(frozen=True)
class LeadDeletion:
    lead_id: int
    email: str | None
    linkedin_url: str | None
    permanent: bool
    campaigns: list[str]
    activities: int

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_id": str(self.lead_id),
            "email": self.email,
            "linkedin_url": self.linkedin_url,
            "permanent": self.permanent,
            "campaigns": list(self.campaigns),
            "memberships": len(self.campaigns),
            "activities": self.activities,
        }


def delete_lead(
    engine: Engine,
    settings: Settings,
    workspace: Workspace,
    member: Member,
    lead: LeadRef,
    *,
    permanent: bool = False,
) -> LeadDeletion:
    """Delete the lead with its memberships and their activity; `permanent` also keeps its email
    out of every later import until an admin cleans the list."""
    permissions.require_lead_work(member, workspace, "delete leads")
    with write_transaction(engine) as conn:
        lock_workspace(conn, workspace.id)
        found = find_lead(conn, workspace, lead)
        if permanent and found.email is None:
            raise ConflictError(
                f"{found.name} has no email, and the permanently-deleted list keeps emails only; "
                "delete it without the permanent option."
            )
        held = lead_removal.memberships(conn, found.id)
        activities = lead_removal.count_activities(conn, found.id)
        now = utcnow()
        key = found.email or found.linkedin_key
        if not permanent and held and key is not None:
            lead_removal.remember_removal(conn, [m.campaign_id for m in held], key, now)
        fenced = lead_removal.forget_lead_history(conn, found.id)
        lead_removal.delete_lead_rows(conn, found.id)
        if permanent:
            assert found.email is not None
            deleted_list.add_email(conn, settings.secret_key, workspace.id, found.email, now)
        result = LeadDeletion(
            found.id,
            found.email,
            found.row["linkedin_url"],
            permanent,
            [m.campaign for m in held],
            activities,
        )
        _audit(conn, member, result, fenced)
    return result


def _audit(conn: Connection, member: Member, result: LeadDeletion, fenced: int) -> None:
    detail = result.to_json()
    if result.permanent:  # the hash on the list is all that is kept of the address
        detail.update(email=None, linkedin_url=None)
    detail["restorable_memberships_lost"] = fenced
    action = "lead_deleted_permanently" if result.permanent else "lead_deleted"
    write_audit(conn, member, action, str(result.lead_id), detail)

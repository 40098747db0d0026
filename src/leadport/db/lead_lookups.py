"""Batch look-ups an import makes: one query per batch and kind, never one per row."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from leadport.db.schema import campaign_leads, campaigns, deleted_emails, do_not_contact, leads
from leadport.domain.campaign_policy import Membership
from leadport.domain.model import LEAD_FIELDS

CHUNK = 500


@dataclass(slots=True)
class ExistingLead:
    id: int
    fields: dict[str, Any]
    custom: dict[str, str]
    tags: list[str]
    email_status: str | None
    linkedin_key: str | None
    memberships: list[Membership] = field(default_factory=list)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _loads(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


_LEAD_COLS = [
    leads.c.id,
    *(leads.c[f] for f in LEAD_FIELDS),
    leads.c.custom_fields,
    leads.c.tags,
    leads.c.email_status,
    leads.c.linkedin_key,
]


def _existing(row: Any) -> ExistingLead:
    m = row._mapping
    return ExistingLead(
        id=m["id"],
        fields={f: m[f] for f in LEAD_FIELDS},
        custom=_loads(m["custom_fields"], {}),
        tags=_loads(m["tags"], []),
        email_status=m["email_status"],
        linkedin_key=m["linkedin_key"],
    )


def leads_by(
    conn: Connection, workspace_id: int, column: str, values: Sequence[str]
) -> dict[str, ExistingLead]:
    """Existing leads whose `email` or `linkedin_key` is one of values, keyed by that value."""
    found: dict[str, ExistingLead] = {}
    col = leads.c[column]
    for chunk in _chunks(sorted(set(values))):
        stmt = select(*_LEAD_COLS).where(leads.c.workspace_id == workspace_id, col.in_(chunk))
        for row in conn.execute(stmt):
            found[row._mapping[column]] = _existing(row)
    return found


def leads_with_name_keys(
    conn: Connection, workspace_id: int, keys: Sequence[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(keys))):
        stmt = (
            select(leads.c.name_key, func.min(leads.c.id))
            .where(leads.c.workspace_id == workspace_id, leads.c.name_key.in_(chunk))
            .group_by(leads.c.name_key)
        )
        found.update({k: i for k, i in conn.execute(stmt)})
    return found


def deleted_hashes(conn: Connection, workspace_id: int, hashes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(set(hashes))):
        stmt = select(deleted_emails.c.email_hash).where(
            deleted_emails.c.workspace_id == workspace_id, deleted_emails.c.email_hash.in_(chunk)
        )
        found.update(conn.execute(stmt).scalars())
    return found


def dnc_values(conn: Connection, workspace_id: int, values: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(set(values))):
        stmt = select(do_not_contact.c.value).where(
            do_not_contact.c.workspace_id == workspace_id, do_not_contact.c.value.in_(chunk)
        )
        found.update(conn.execute(stmt).scalars())
    return found


def memberships_of(conn: Connection, lead_ids: Sequence[int]) -> dict[int, list[Membership]]:
    found: dict[int, list[Membership]] = {}
    for chunk in _chunks(sorted(set(lead_ids))):
        stmt = (
            select(
                campaign_leads.c.lead_id, campaigns.c.id, campaigns.c.name, campaign_leads.c.status
            )
            .join(campaigns, campaigns.c.id == campaign_leads.c.campaign_id)
            .where(campaign_leads.c.lead_id.in_(chunk))
        )
        for lead_id, cid, name, status in conn.execute(stmt):
            found.setdefault(lead_id, []).append(Membership(cid, name, status))
    return found


def count_leads(conn: Connection, workspace_id: int) -> int:
    stmt = select(func.count()).select_from(leads).where(leads.c.workspace_id == workspace_id)
    return int(conn.execute(stmt).scalar_one())

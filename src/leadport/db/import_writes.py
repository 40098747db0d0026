"""What one batch writes: new leads, updated leads with their before-values, memberships, rows.

Everything is collected while the batch is decided and written at the end in bulk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leadport.db import lead_lookups as q
from leadport.db.bulk import as_json, bulk_insert, bulk_update, db_time, reserve_ids
from leadport.domain.identity import normalize_linkedin
from leadport.domain.lead_input import LeadInput, name_key
from leadport.domain.merge import Change
from leadport.domain.model import LEAD_FIELDS, LeadStatus
from leadport.domain.outcomes import CampaignCode, RowOutcome

if TYPE_CHECKING:
    from leadport.services.import_run import ImportRun

LEAD_INSERT = (
    "id",
    "workspace_id",
    *LEAD_FIELDS,
    "linkedin_key",
    "custom_fields",
    "tags",
    "name_key",
    "created_import_id",
    "created_at",
    "updated_at",
)
LEAD_UPDATE = (*LEAD_FIELDS, "linkedin_key", "custom_fields", "tags", "name_key", "updated_at")
ROW_COLUMNS = (
    "import_id",
    "row",
    "code",
    "campaign_code",
    "lead_id",
    "warnings",
    "detail",
    "cells",
)


class BatchWrites:
    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.now = db_time(run.conn, run.now)
        self._ids: list[int] = []
        self._new: list[tuple[int, LeadInput]] = []
        self._changed: set[int] = set()
        self._changes: list[tuple[Any, ...]] = []
        self._memberships: list[tuple[Any, ...]] = []

    def add_lead(self, lead: LeadInput) -> int:
        if not self._ids:
            self._ids = reserve_ids(self.run.conn, "leads", self.run.batch_size)[::-1]
        lead_id = self._ids.pop()
        self._new.append((lead_id, lead))
        return lead_id

    def record_changes(self, lead_id: int, changes: dict[str, Change]) -> None:
        if not changes:
            return
        self._changed.add(lead_id)
        for name, (old, new) in changes.items():
            self._changes.append((self.run.import_id, lead_id, name, _text(old), _text(new)))

    def add_membership(self, lead_id: int) -> None:
        assert self.run.campaign is not None
        self._memberships.append(
            (
                self.run.campaign.campaign_id,
                lead_id,
                LeadStatus.SCHEDULED.value,
                self.run.import_id,
                self.now,
                self.now,
            )
        )

    def possible_duplicates(self) -> dict[int, int]:
        """New leads whose name and company domain equal an earlier lead's: new id → that lead."""
        keys = [lead.name_key for _, lead in self._new if lead.name_key]
        known = q.leads_with_name_keys(self.run.conn, self.run.workspace_id, keys) if keys else {}
        found: dict[int, int] = {}
        for lead_id, lead in self._new:
            if not lead.name_key:
                continue
            if lead.name_key in known:
                found[lead_id] = known[lead.name_key]
            else:
                known[lead.name_key] = lead_id
        return found

    def flush(
        self, outcomes: list[RowOutcome], touched: dict[int, q.ExistingLead], batch: list[LeadInput]
    ) -> None:
        conn, run = self.run.conn, self.run
        bulk_insert(conn, "leads", LEAD_INSERT, [self._lead_row(i, lead) for i, lead in self._new])
        bulk_update(
            conn,
            "leads",
            LEAD_UPDATE,
            [self._update_row(touched[i]) for i in sorted(self._changed)],
        )
        bulk_insert(
            conn,
            "lead_changes",
            ("import_id", "lead_id", "field", "old_value", "new_value"),
            self._changes,
        )
        bulk_insert(
            conn,
            "campaign_leads",
            ("campaign_id", "lead_id", "status", "import_id", "created_at", "updated_at"),
            self._memberships,
        )
        cells = {lead.row: lead.cells for lead in batch}
        bulk_insert(
            conn,
            "import_rows",
            ROW_COLUMNS,
            [_row_record(run.import_id, o, cells) for o in outcomes],
        )

    def _lead_row(self, lead_id: int, lead: LeadInput) -> tuple[Any, ...]:
        return (
            lead_id,
            self.run.workspace_id,
            *map(lead.fields.get, LEAD_FIELDS),
            lead.linkedin_key,
            as_json(lead.custom) if lead.custom else None,
            as_json(lead.tags) if lead.tags else None,
            lead.name_key,
            self.run.import_id,
            self.now,
            self.now,
        )

    def _update_row(self, lead: q.ExistingLead) -> tuple[Any, ...]:
        f = lead.fields
        url = f.get("linkedin_url")
        key = normalize_linkedin(url).key if url else None
        return (
            *map(f.get, LEAD_FIELDS),
            key,
            as_json(lead.custom) if lead.custom else None,
            as_json(lead.tags) if lead.tags else None,
            name_key(f),
            self.now,
            lead.id,
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _row_record(import_id: int, o: RowOutcome, cells: dict[int, list[str]]) -> tuple[Any, ...]:
    taken = o.code in ("added", "modified") and o.campaign_code in (None, CampaignCode.IMPORTED)
    return (
        import_id,
        o.row,
        o.code,
        o.campaign_code,
        o.lead_id,
        as_json(list(o.warnings)) if o.warnings else None,
        as_json(o.detail) if o.detail else None,
        None if taken else as_json(cells.get(o.row)),
    )

"""What one batch writes: new leads, updated leads with their before-values, memberships, rows.

Everything is collected while the batch is decided and written at the end in bulk.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from leadport.db import lead_lookups as q
from leadport.db.bulk import (
    as_json,
    bulk_insert,
    bulk_update,
    db_time,
    reserve_ids,
)
from leadport.db.engine import is_sqlite
from leadport.db.staging import Later, StagedTable, insert_later
from leadport.domain.identity import normalize_linkedin
from leadport.domain.lead_input import LeadInput, name_key
from leadport.domain.merge import Change
from leadport.domain.model import LEAD_FIELDS, LeadStatus
from leadport.domain.outcomes import CampaignCode, RowOutcome

if TYPE_CHECKING:
    from leadport.services.import_run import ImportRun

# A new lead's columns: those that differ from lead to lead, then those the batch shares.
LEAD_INSERT = ("id", *LEAD_FIELDS, "linkedin_key", "custom_fields", "tags", "name_key")
LEAD_SHARED = ("workspace_id", "created_import_id", "created_at", "updated_at")
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
        self._memberships: list[tuple[int]] = []

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
        self._memberships.append((lead_id,))

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
    ) -> Later:
        """Write the batch. Updates and the outcome rows with detail are written now; new leads,
        memberships and the plain outcome rows are loaded now and put in place by the call this
        returns, which the import runs in the background (db/staging.py), in this order: a
        membership needs its lead."""
        conn, run = self.run.conn, self.run
        later: list[Later] = []
        if self._new:
            rows = [self._lead_row(i, lead) for i, lead in self._new]
            shared = dict(
                zip(LEAD_SHARED, (run.workspace_id, run.import_id, self.now, self.now), strict=True)
            )
            if is_sqlite(conn):
                later.append(self._staged_leads().load(shared, rows))
            else:
                later.append(insert_later(conn, "leads", shared, LEAD_INSERT, rows))
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
        if self._memberships:
            assert run.campaign is not None
            constants = {
                "campaign_id": run.campaign.campaign_id,
                "status": LeadStatus.SCHEDULED.value,
                "import_id": run.import_id,
                "created_at": self.now,
                "updated_at": self.now,
            }
            later.append(
                insert_later(
                    self.run.conn, "campaign_leads", constants, ("lead_id",), self._memberships
                )
            )
        later.extend(self._write_rows(outcomes, batch))
        return partial(_run_in_order, later)

    def _staged_leads(self) -> StagedTable:
        if self.run.staged_leads is None:
            self.run.staged_leads = StagedTable(self.run.conn, "leads", LEAD_INSERT)
        return self.run.staged_leads

    def _write_rows(self, outcomes: list[RowOutcome], batch: list[LeadInput]) -> list[Later]:
        """Outcome rows. A row taken without detail (most rows of a big import) is its row
        number, lead id and warnings under a code pair, written in one statement per pair."""
        import_id = self.run.import_id
        plain: dict[tuple[str, str | None], list[tuple[int, int | None, str | None]]] = {}
        others = []
        for o in outcomes:
            if o.detail or not _taken(o):
                others.append(o)
            else:
                warnings = as_json(list(o.warnings)) if o.warnings else None
                plain.setdefault((o.code, o.campaign_code), []).append((o.row, o.lead_id, warnings))
        later = [
            insert_later(
                self.run.conn,
                "import_rows",
                {"import_id": import_id, "code": code, "campaign_code": campaign_code},
                ("row", "lead_id", "warnings"),
                rows,
            )
            for (code, campaign_code), rows in plain.items()
        ]
        if others:
            cells = {lead.row: lead.cells for lead in batch}
            bulk_insert(
                self.run.conn,
                "import_rows",
                ROW_COLUMNS,
                [_row_record(import_id, o, cells) for o in others],
            )
        return later

    def _lead_row(self, lead_id: int, lead: LeadInput) -> tuple[Any, ...]:
        return (
            lead_id,
            *map(lead.fields.get, LEAD_FIELDS),
            lead.linkedin_key,
            as_json(lead.custom) if lead.custom else None,
            as_json(lead.tags) if lead.tags else None,
            lead.name_key,
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


def _run_in_order(calls: list[Later]) -> None:
    for call in calls:
        call()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _taken(o: RowOutcome) -> bool:
    """Whether the row was taken (its cells are kept only when it was not)."""
    return o.code in ("added", "modified") and o.campaign_code in (None, CampaignCode.IMPORTED)


def _row_record(import_id: int, o: RowOutcome, cells: dict[int, list[str]]) -> tuple[Any, ...]:
    return (
        import_id,
        o.row,
        o.code,
        o.campaign_code,
        o.lead_id,
        as_json(list(o.warnings)) if o.warnings else None,
        as_json(o.detail) if o.detail else None,
        None if _taken(o) else as_json(cells.get(o.row)),
    )

"""What one batch writes: new leads, updated leads with their before-values, memberships, rows.

Everything is collected while the batch is decided, made ready for the database (`prepare`,
pure Python, while the batch before is still being written) and written in bulk (`write`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from leadport.db import lead_lookups as q
from leadport.db.bulk import (
    as_json,
    as_json_rows,
    as_json_values,
    bulk_insert,
    bulk_update,
    db_time,
    reserve_ids,
)
from leadport.db.engine import is_sqlite
from leadport.db.staging import Later, StagedTable, insert_later, insert_later_encoded
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
_TakenRow = tuple[int, int | None, tuple[str, ...] | None]  # row, lead id, warnings


def new_lead_payload(conn: Connection | Engine) -> Callable[[LeadInput], object]:
    """What a row that may add a lead carries for its insert (`LeadInput.prepared`), worked
    out where the row is built: on SQLite the columns after the id (`LEAD_INSERT`), on
    PostgreSQL the same as the JSON text of an array's items, so the process that decides only
    puts the id in front (a 1M import: ≈ 1.3 µs a row on SQLite, ≈ 2 µs on PostgreSQL)."""
    return _lead_values if is_sqlite(conn) else _lead_json


def _lead_values(lead: LeadInput) -> tuple[Any, ...]:
    return (
        *map(lead.fields.get, LEAD_FIELDS),
        lead.linkedin_key,
        as_json(lead.custom) if lead.custom else None,
        as_json(lead.tags) if lead.tags else None,
        lead.name_key,
    )


def _lead_json(lead: LeadInput) -> str:
    return as_json_values(_lead_values(lead))


class LeadIds:
    """Ids for the leads an import adds, drawn before a batch is decided: the decision runs while
    the batch before it is still being written, so it cannot ask the database, and on SQLite
    `max(id)` does not count the leads in flight yet. Ids left over go to the next batch."""

    def __init__(self) -> None:
        self._free: list[int] = []  # descending: pop() gives the smallest
        self._last = 0

    def top_up(self, conn: Connection, needed: int) -> None:
        """Draw what `needed` ids lack, no more: on PostgreSQL each id is a `nextval`, and a
        100-row API batch drawing a whole batch size (2,000) spent ≈ 7 ms on ids alone."""
        if len(self._free) >= needed:
            return
        ids = reserve_ids(conn, "leads", needed - len(self._free), after=self._last)
        self._last = ids[-1]
        self._free = ids[::-1] + self._free

    def take(self) -> int:
        return self._free.pop()


class BatchWrites:
    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.now = db_time(run.conn, run.now)
        self._new: list[tuple[int, LeadInput]] = []
        self._changed: set[int] = set()
        self._changes: list[tuple[Any, ...]] = []
        self._memberships: list[tuple[int]] = []
        self._first_rows: dict[str, int] = {}
        self._ready: _Ready | None = None

    def add_lead(self, lead: LeadInput) -> int:
        lead_id = self.run.lead_ids.take()
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

    def remember_keys(self, first_rows: dict[str, int]) -> None:
        """Keys first seen on a row that added no lead: kept by `run.seen` when written."""
        self._first_rows = first_rows

    def possible_duplicates(self, known: dict[str, int], added: dict[str, int]) -> dict[int, int]:
        """New leads whose name and company domain equal an earlier lead's: new id → that lead.

        `known`: the first lead of each name key before this batch (look-up); the batch's own
        first new lead of each key is added to it and to `added`."""
        found: dict[int, int] = {}
        for lead_id, lead in self._new:
            if not (key := lead.name_key):
                continue
            if key in known:
                found[lead_id] = known[key]
            else:
                known[key] = added[key] = lead_id
        return found

    def prepare(
        self, outcomes: list[RowOutcome], touched: dict[int, q.ExistingLead], batch: list[LeadInput]
    ) -> None:
        """Everything `write` sends, as rows and JSON: pure Python, no query."""
        run = self.run
        plain, others = self._outcome_rows(outcomes, batch)
        sqlite = is_sqlite(run.conn)
        new_leads = [self._lead_row(i, lead) for i, lead in self._new] if sqlite else []
        rows_later = [
            insert_later(
                run.conn,
                "import_rows",
                {"import_id": run.import_id, "code": code, "campaign_code": campaign_code},
                ("row", "taken_rows"),
                [(rows[0][0], as_json_rows(rows))],
            )
            for (code, campaign_code), rows in plain.items()
        ]
        leads_later = None
        if not sqlite:
            # PostgreSQL: every insert is made ready here and sent in the background, so the
            # server is not kept waiting between the batch before's writes and this batch's
            # look-up (the new leads' JSON, made in `write`, cost ≈ 3.6 s of a 1M import).
            if self._new:
                leads_later = insert_later_encoded(
                    run.conn, "leads", self._lead_constants(), LEAD_INSERT, self._leads_json()
                )
            if others:
                rows_later.append(insert_later(run.conn, "import_rows", {}, ROW_COLUMNS, others))
                others = []
        self._ready = _Ready(
            leads_now=new_leads,
            leads_later=leads_later,
            updates=[self._update_row(touched[i]) for i in sorted(self._changed)],
            rows_later=rows_later,
            rows_now=others,
            memberships=self._membership_rows(),
        )

    def write(self) -> Later:
        """Write the prepared batch. Updates, before-values, the keys to remember and, on SQLite,
        the outcome rows with detail are written now; new leads, memberships and the other
        outcome rows are loaded now (SQLite's twin) or were made ready by `prepare`, and are put
        in place by the call this returns, which the import runs in the background
        (db/staging.py), in this order: a membership needs its lead."""
        ready = self._ready
        assert ready is not None, "prepare() first"
        conn, run = self.run.conn, self.run
        later: list[Later] = []
        if ready.leads_now:  # SQLite: into the twin now, moved in the background
            later.append(self._staged_leads().load(self._lead_constants(), ready.leads_now))
        if ready.leads_later is not None:
            later.append(ready.leads_later)
        bulk_update(conn, "leads", LEAD_UPDATE, ready.updates)
        bulk_insert(
            conn,
            "lead_changes",
            ("import_id", "lead_id", "field", "old_value", "new_value"),
            self._changes,
        )
        if ready.memberships is not None:
            later.append(ready.memberships)
        later.extend(ready.rows_later)
        if ready.rows_now:
            bulk_insert(conn, "import_rows", ROW_COLUMNS, ready.rows_now)
        run.seen.add(self._first_rows)
        return partial(_run_in_order, later)

    def _lead_constants(self) -> dict[str, Any]:
        run = self.run
        return dict(
            zip(LEAD_SHARED, (run.workspace_id, run.import_id, self.now, self.now), strict=True)
        )

    def _membership_rows(self) -> Later | None:
        if not self._memberships:
            return None
        run = self.run
        assert run.campaign is not None
        constants = {
            "campaign_id": run.campaign.campaign_id,
            "status": LeadStatus.SCHEDULED.value,
            "import_id": run.import_id,
            "created_at": self.now,
            "updated_at": self.now,
        }
        return insert_later(run.conn, "campaign_leads", constants, ("lead_id",), self._memberships)

    def _staged_leads(self) -> StagedTable:
        if self.run.staged_leads is None:
            self.run.staged_leads = StagedTable(self.run.conn, "leads", LEAD_INSERT)
        return self.run.staged_leads

    def _outcome_rows(
        self, outcomes: list[RowOutcome], batch: list[LeadInput]
    ) -> tuple[dict[tuple[str, str | None], list[_TakenRow]], list[Any]]:
        """Outcome rows. A row taken without detail (most rows of a big import) is its row
        number, lead id and warnings under a code pair, stored as one record per pair
        (`taken_rows`, migration 0004); the others are whole records."""
        import_id = self.run.import_id
        plain: dict[tuple[str, str | None], list[_TakenRow]] = {}
        others = []
        for o in outcomes:
            if o.detail or o.code not in _TAKEN or o.campaign_code not in _TAKEN_INTO_CAMPAIGN:
                others.append(o)  # not `_taken`, or with detail
            else:
                plain.setdefault((o.code, o.campaign_code), []).append(
                    (o.row, o.lead_id, o.warnings or None)
                )
        records = []
        if others:
            # Only the rows kept with their cells: a row's cells may be made on first use.
            wanted = {o.row for o in others if not _taken(o)}
            cells = {lead.row: lead.cells for lead in batch if lead.row in wanted}
            records = [_row_record(import_id, o, cells) for o in others]
        return plain, records

    def _lead_row(self, lead_id: int, lead: LeadInput) -> tuple[Any, ...]:
        values = lead.prepared if type(lead.prepared) is tuple else _lead_values(lead)
        return (lead_id, *values)

    def _leads_json(self) -> str:
        """PostgreSQL: the new leads as one JSON array of `LEAD_INSERT` rows."""
        return (
            "[["
            + "],[".join(
                [
                    f"{lead_id},{lead.prepared if type(lead.prepared) is str else _lead_json(lead)}"
                    for lead_id, lead in self._new
                ]
            )
            + "]]"
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


@dataclass(slots=True)
class _Ready:
    leads_now: list[tuple[Any, ...]]  # SQLite: new leads for the twin, loaded by `write`
    leads_later: Later | None
    updates: list[tuple[Any, ...]]
    rows_later: list[Later]
    rows_now: list[tuple[Any, ...]]  # SQLite: outcome rows with detail, too wide for json_each
    memberships: Later | None


def _run_in_order(calls: list[Later]) -> None:
    for call in calls:
        call()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


_TAKEN = frozenset(("added", "modified"))
_TAKEN_INTO_CAMPAIGN = frozenset((None, CampaignCode.IMPORTED))


def _taken(o: RowOutcome) -> bool:
    """Whether the row was taken (its cells are kept only when it was not)."""
    return o.code in _TAKEN and o.campaign_code in _TAKEN_INTO_CAMPAIGN


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

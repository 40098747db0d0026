"""One batch of rows through the look-ups, the account step, the campaign step and the writes.

Look-ups are made once per batch (never per row); decisions are the pure rules of
domain/account_rules.py and domain/campaign_policy.py, applied in file order.

A batch goes through three stages, and the writes of one batch run in the background while the
next is decided (services/write_behind.py):

1. `look_up`: everything the database knows about the batch's identifiers, fetched in a few
   queries. The batch before it is decided and partly written by then: its updates are in the
   database, but its new leads and memberships may still be in flight, so the look-up adds
   them from that batch's `Pending` (what the database would have said). What it will ask
   for (`Wanted`) is worked out before the background writes are waited for.
2. `decide`: the rules, row by row, in pure Python: no query, so it runs while the batch
   before it is written.
3. `BatchWrites.write` (db/import_writes.py): the updates now, the rest handed to the
   background.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leadport.db import lead_lookups as q
from leadport.db.import_writes import BatchWrites
from leadport.domain.account_rules import AccountFacts, decide_account
from leadport.domain.campaign_policy import (
    LeadState,
    Membership,
    decide_campaign,
    imports_any_new_lead,
)
from leadport.domain.identity import email_domain
from leadport.domain.lead_input import LeadInput
from leadport.domain.merge import merge_into
from leadport.domain.outcomes import AccountCode, CampaignCode, RowOutcome, RowWarning
from leadport.services.deleted_list import email_hash
from leadport.services.import_run import ImportRun, is_accepted


class BatchPipeline:
    """Batches through the three stages, in file order, so that one batch's background writes
    overlap the next batch's decisions. The connection is used by one thread at a time: the
    background writes are waited for before anything else touches it."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self._decided: BatchWrites | None = None
        self._pending = Pending()

    def push(self, batch: list[LeadInput]) -> list[RowOutcome]:
        """Decide a batch and return its outcomes; the batch before it is written meanwhile."""
        run = self.run
        # Pure Python, so it runs while the batch before is still written: on PostgreSQL the
        # server is idle from the end of those writes until the look-up's first query.
        wanted = Wanted.of(run, batch)
        run.writer.wait()
        later = self._decided.write() if self._decided is not None else None
        facts = look_up(run, wanted, self._pending)
        if later is not None:
            run.writer.submit(later)
        outcomes, self._decided, self._pending = decide(run, batch, facts)
        return outcomes

    def finish(self) -> None:
        """Write the last batch and wait until everything is written."""
        self.run.writer.wait()
        if self._decided is not None:
            write_rest = self._decided.write()
            self._decided = None
            write_rest()


@dataclass(slots=True)
class Pending:
    """What a decided batch adds that the database may not show yet (its writes are in flight)."""

    # keys first seen in the batch → that row (those of its new leads are not in the database)
    first_rows: dict[str, int] = field(default_factory=dict)
    name_keys: dict[str, int] = field(default_factory=dict)  # name key → first lead it added
    memberships: dict[int, list[Membership]] = field(default_factory=dict)  # of earlier leads


@dataclass(slots=True)
class Facts:
    """Everything the database said about this batch's identifiers."""

    first_rows: dict[int, int | None]
    by_email: dict[str, q.ExistingLead]
    by_linkedin: dict[str, q.ExistingLead]
    deleted: set[str]
    name_keys: dict[str, int]
    memberships: dict[int, list[Membership]]
    dnc: set[str]
    new_keys: dict[str, int] = field(default_factory=dict)
    touched: dict[int, q.ExistingLead] = field(default_factory=dict)


@dataclass(slots=True)
class Wanted:
    """What a batch's look-up asks the database: the values that may belong to a lead (all of
    them, unless the Bloom filter of `run.seen` rules a value out) and the keys the rows claim."""

    valid: list[LeadInput]
    emails: list[str]
    linkedins: list[str]
    keys: list[str]

    @classmethod
    def of(cls, run: ImportRun, batch: list[LeadInput]) -> Wanted:
        valid = [lead for lead in batch if lead.error is None]
        may_exist = run.seen.may_exist
        return cls(
            valid=valid,
            emails=may_exist([e for lead in valid if (e := lead.email)]),
            linkedins=may_exist([lk for lead in valid if (lk := lead.linkedin_key)]),
            keys=[k for lead in valid for k in lead.keys],
        )


def look_up(run: ImportRun, wanted: Wanted, pending: Pending) -> Facts:
    """Existing leads by email and LinkedIn key, the first row of each key in this file, and
    what the later steps may ask: leads with the same name key, memberships of the leads found,
    matches on the permanently-deleted and do-not-contact lists. Ids for the leads the batch
    may add are drawn here too.

    A key that belongs to a lead this import created was first seen on the row that created it;
    other keys seen in earlier batches come from `run.seen`, keys seen earlier in this batch from
    `new_keys`.
    """
    conn, ws, import_id = run.conn, run.workspace_id, run.import_id
    valid, keys = wanted.valid, wanted.keys
    by_email = q.leads_by(conn, ws, "email", wanted.emails)
    by_linkedin = q.leads_by(conn, ws, "linkedin_key", wanted.linkedins)
    earlier = run.seen.first_rows(keys)
    for prefix, found in (("e:", by_email), ("l:", by_linkedin)):
        for value, existing in list(found.items()):
            if existing.created_import_id == import_id and (
                row := run.seen.row_of_lead(existing.id)
            ):
                key = prefix + value
                earlier[key] = min(row, earlier.get(key, row))
                del found[value]
    if in_flight := pending.first_rows:
        for key in keys:
            if (row := in_flight.get(key)) is not None:
                earlier[key] = min(row, earlier.get(key, row))
    first_rows: dict[int, int | None] = {}
    new_keys: dict[str, int] = {}
    for lead in valid:
        row, first = lead.row, None
        for k in lead.keys:
            r = earlier.get(k)
            if r is None:
                r = new_keys.setdefault(k, row)
                if r == row:  # first seen on this row
                    continue
            if first is None or r < first:
                first = r
        first_rows[row] = first
    fresh_emails = [e for lead in valid if (e := lead.email) and first_rows[lead.row] is None]
    found_ids = {lead.id for lead in (*by_email.values(), *by_linkedin.values())}
    run.lead_ids.top_up(conn, len(valid))
    return Facts(
        first_rows=first_rows,
        by_email=by_email,
        by_linkedin=by_linkedin,
        deleted=_deleted_emails(run, fresh_emails),
        name_keys=_name_keys(run, valid, pending),
        memberships=_memberships(run, found_ids, pending),
        dnc=_dnc_candidates(run, valid, by_email, by_linkedin),
        new_keys=new_keys,
    )


def decide(
    run: ImportRun, batch: list[LeadInput], facts: Facts
) -> tuple[list[RowOutcome], BatchWrites, Pending]:
    """The batch's outcomes, its writes made ready, and what the next look-up must add; from the
    facts alone, with no query, so this runs while the batch before it is being written."""
    writes = BatchWrites(run)
    decided: list[tuple[LeadInput, AccountCode, int | None, dict[str, Any]]] = []
    for lead in batch:
        decided.append(_account_step(run, lead, facts, writes))
    pending = Pending()
    _remember_keys(run, decided, facts, writes, pending)
    duplicates = writes.possible_duplicates(facts.name_keys, pending.name_keys)
    for _, code, lead_id, detail in decided:
        if code == AccountCode.ADDED and lead_id in duplicates:
            detail["possible_duplicate_of"] = str(duplicates[lead_id])
    outcomes = (
        _campaign_step(run, decided, facts, writes, pending)
        if run.campaign_step
        else [
            _outcome(lead, code, lead_id, detail, None) for lead, code, lead_id, detail in decided
        ]
    )
    writes.prepare(outcomes, facts.touched, batch)
    return outcomes, writes, pending


def _remember_keys(
    run: ImportRun,
    decided: list[tuple[LeadInput, AccountCode, int | None, dict[str, Any]]],
    facts: Facts,
    writes: BatchWrites,
    pending: Pending,
) -> None:
    """Keys first seen in this batch: by the lead a row added, else by value (stored with the
    batch's writes)."""
    added: list[tuple[int, int]] = []
    values: list[str] = []
    for lead, code, lead_id, _ in decided:
        if code == AccountCode.ADDED and lead_id is not None:
            added.append((lead_id, lead.row))
            if lead.email:
                values.append(lead.email)
            if lead.linkedin_key:
                values.append(lead.linkedin_key)
    run.seen.leads_added(added, values)
    # Every key of a lead added here was first seen on its row: the next look-up finds them
    # there until the lead is written (the others are in `run.seen` by then as well).
    pending.first_rows = new_keys = facts.new_keys
    if new_keys:
        added_rows = {row for _, row in added}
        writes.remember_keys({k: row for k, row in new_keys.items() if row not in added_rows})


def _name_keys(run: ImportRun, valid: list[LeadInput], pending: Pending) -> dict[str, int]:
    """The first lead with each of these rows' name keys, leads still being written included."""
    keys = [k for lead in valid if (k := lead.name_key)]
    if not keys:
        return {}
    known = q.leads_with_name_keys(run.conn, run.workspace_id, keys)
    for key in keys:
        if key not in known and (lead_id := pending.name_keys.get(key)) is not None:
            known[key] = lead_id
    return known


def _memberships(
    run: ImportRun, found_ids: set[int], pending: Pending
) -> dict[int, list[Membership]]:
    """The memberships of the leads found (any of them may be modified, and then checked by
    the campaign step), with those the batch before gave them."""
    if not run.campaign_step or not found_ids:
        return {}
    memberships = q.memberships_of(run.conn, sorted(found_ids))
    for lead_id in found_ids & pending.memberships.keys():
        memberships.setdefault(lead_id, []).extend(pending.memberships[lead_id])
    return memberships


def _dnc_candidates(
    run: ImportRun,
    valid: list[LeadInput],
    by_email: dict[str, q.ExistingLead],
    by_linkedin: dict[str, q.ExistingLead],
) -> set[str]:
    """The do-not-contact entries any lead of this batch could end up with: the rows' emails
    and those of the leads found, and their domains."""
    if not run.campaign_step or not run.dnc_in_use:
        return set()
    emails = {lead.email for lead in valid if lead.email}
    for existing in (*by_email.values(), *by_linkedin.values()):
        if email := existing.fields.get("email"):
            emails.add(email)
    candidates = [v for e in emails for v in (e, email_domain(e))]
    return q.dnc_values(run.conn, run.workspace_id, candidates)


def _deleted_emails(run: ImportRun, emails: list[str]) -> set[str]:
    """Which of these emails are on the permanently-deleted list (skipped when it is empty)."""
    if not run.deleted_list_in_use or not emails:
        return set()
    by_hash = {email_hash(run.secret_key, e): e for e in emails}
    return {by_hash[h] for h in q.deleted_hashes(run.conn, run.workspace_id, list(by_hash))}


def _account_step(
    run: ImportRun, lead: LeadInput, facts: Facts, writes: BatchWrites
) -> tuple[LeadInput, AccountCode, int | None, dict[str, Any]]:
    email = lead.email
    by_email = facts.by_email.get(email) if email else None
    by_li = facts.by_linkedin.get(lead.linkedin_key) if lead.linkedin_key else None
    deleted = email is not None and email in facts.deleted
    if (
        by_email is None
        and by_li is None
        and not deleted
        and run.may_add
        and lead.keys
        and lead.error is None
        and (lead.email_valid or not lead.email_present)
        and facts.first_rows.get(lead.row) is None
    ):
        # A new person (most rows of a big import): what `decide_account` says after its
        # checks, without building its facts. `run.may_add`: a mode that adds, room to add.
        lead_id = writes.add_lead(lead)
        run.lead_added()
        return lead, AccountCode.ADDED, lead_id, {}
    decision = decide_account(
        lead,
        AccountFacts(
            first_row_with_same_key=facts.first_rows.get(lead.row),
            permanently_deleted=deleted,
            lead_by_email=by_email.id if by_email else None,
            lead_by_linkedin=by_li.id if by_li else None,
            capacity_left=run.capacity_left,
            plan_limit=run.plan_limit,
        ),
        run.mode,
    )
    detail = dict(decision.detail or {})
    if decision.code == AccountCode.ADDED:
        lead_id = writes.add_lead(lead)
        run.lead_added()
        return lead, decision.code, lead_id, detail
    if decision.code == AccountCode.MODIFIED:
        existing = by_email or by_li
        assert existing is not None
        existing = facts.touched.setdefault(existing.id, existing)
        changes = merge_into(
            existing.fields,
            existing.custom,
            existing.tags,
            new_fields=lead.fields,
            new_custom=lead.custom,
            new_tags=lead.tags,
            overwrite=run.overwrite,
        )
        writes.record_changes(existing.id, changes)
        detail["fields_changed"] = len(changes)
        detail["changes"] = {f: {"old": old, "new": new} for f, (old, new) in changes.items()}
        return lead, decision.code, existing.id, detail
    return lead, decision.code, decision.lead_id, detail


def _campaign_step(
    run: ImportRun,
    decided: list[tuple[LeadInput, AccountCode, int | None, dict[str, Any]]],
    facts: Facts,
    writes: BatchWrites,
    pending: Pending,
) -> list[RowOutcome]:
    assert run.campaign is not None
    rules = run.campaign
    memberships = facts.memberships
    dnc = _dnc_matches(decided, facts)
    shortcut = imports_any_new_lead(rules) and not dnc
    outcomes = []
    for lead, code, lead_id, detail in decided:
        campaign_code = None
        if lead_id is not None and code == AccountCode.ADDED and shortcut:
            # A lead this row created has no membership, and no do-not-contact match was found.
            campaign_code = CampaignCode.IMPORTED
            writes.add_membership(lead_id)
        elif lead_id is not None and is_accepted(code):
            state = _state_of(lead, code, lead_id, facts, memberships.get(lead_id, ()), dnc)
            decision = decide_campaign(state, rules)
            campaign_code = decision.code
            if decision.detail:
                detail.update(decision.detail)
            if campaign_code == CampaignCode.IMPORTED:
                writes.add_membership(lead_id)
                joined = Membership(rules.campaign_id, "", "scheduled")
                memberships.setdefault(lead_id, []).append(joined)
                if code == AccountCode.MODIFIED:
                    pending.memberships.setdefault(lead_id, []).append(joined)
        outcomes.append(_outcome(lead, code, lead_id, detail, campaign_code))
    return outcomes


def _email_after(
    lead: LeadInput, code: AccountCode, lead_id: int | None, facts: Facts
) -> str | None:
    if code == AccountCode.MODIFIED and lead_id in facts.touched:
        return facts.touched[lead_id].fields.get("email")
    return lead.email


def _dnc_matches(
    decided: list[tuple[LeadInput, AccountCode, int | None, dict[str, Any]]],
    facts: Facts,
) -> set[str]:
    """The emails and domains of this batch's accepted leads found on the do-not-contact list."""
    if not facts.dnc:
        return set()
    emails = {
        e
        for lead, code, lid, _ in decided
        if is_accepted(code) and (e := _email_after(lead, code, lid, facts))
    }
    return {v for e in emails for v in (e, email_domain(e)) if v in facts.dnc}


def _state_of(
    lead: LeadInput,
    code: AccountCode,
    lead_id: int,
    facts: Facts,
    memberships: Any,
    dnc: set[str],
) -> LeadState:
    """The lead as it stands after this row: what the campaign checks look at."""
    existing = facts.touched.get(lead_id) if code == AccountCode.MODIFIED else None
    if existing is not None:
        email, fields, custom, status = (
            existing.fields.get("email"),
            existing.fields,
            existing.custom,
            existing.email_status,
        )
    else:
        email, fields, custom, status = lead.email, lead.fields, lead.custom, None
    match = None
    if dnc and email:
        match = (
            email if email in dnc else (email_domain(email) if email_domain(email) in dnc else None)
        )
    return LeadState(email, fields, custom, status, tuple(memberships), match)


def _outcome(
    lead: LeadInput,
    code: AccountCode,
    lead_id: int | None,
    detail: dict[str, Any],
    campaign_code: CampaignCode | None,
) -> RowOutcome:
    warnings = tuple(lead.warnings)
    if not detail and code != AccountCode.MALFORMED_ROW:  # most rows: nothing to add
        return RowOutcome(lead.row, code, campaign_code, lead_id, warnings, detail)
    if detail.get("possible_duplicate_of") and RowWarning.POSSIBLE_DUPLICATE not in warnings:
        warnings = (*warnings, RowWarning.POSSIBLE_DUPLICATE)
    if code == AccountCode.MALFORMED_ROW:
        detail.setdefault("row", lead.row)
    return RowOutcome(lead.row, code, campaign_code, lead_id, warnings, detail)

"""One batch of rows through the account step, the campaign step and the writes.

Look-ups are made once per batch (never per row); decisions are the pure rules of
domain/account_rules.py and domain/campaign_policy.py, applied in file order.
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


@dataclass(slots=True)
class _Facts:
    """Everything the database said about this batch's identifiers."""

    first_rows: dict[int, int | None]
    by_email: dict[str, q.ExistingLead]
    by_linkedin: dict[str, q.ExistingLead]
    deleted: set[str]
    new_keys: dict[str, int] = field(default_factory=dict)
    touched: dict[int, q.ExistingLead] = field(default_factory=dict)


def process_batch(run: ImportRun, batch: list[LeadInput]) -> list[RowOutcome]:
    """Decide the batch now; its writes run in the background (`run.writer`) while the caller
    builds the next batch, and the next call waits for them before it looks anything up."""
    run.writer.wait()
    facts = _look_up(run, batch)
    writes = BatchWrites(run)
    decided: list[tuple[LeadInput, AccountCode, int | None, dict[str, Any]]] = []
    for lead in batch:
        decided.append(_account_step(run, lead, facts, writes))
    _remember_keys(run, decided, facts)
    duplicates = writes.possible_duplicates()
    for _, code, lead_id, detail in decided:
        if code == AccountCode.ADDED and lead_id in duplicates:
            detail["possible_duplicate_of"] = str(duplicates[lead_id])
    outcomes = (
        _campaign_step(run, decided, facts, writes)
        if run.campaign_step
        else [
            _outcome(lead, code, lead_id, detail, None) for lead, code, lead_id, detail in decided
        ]
    )
    run.writer.submit(writes.flush(outcomes, facts.touched, batch))
    return outcomes


def _look_up(run: ImportRun, batch: list[LeadInput]) -> _Facts:
    """Existing leads by email and LinkedIn key, and the first row of each key in this file.

    A key that belongs to a lead this import created was first seen on the row that created it;
    other keys seen in earlier batches come from `run.seen`, keys seen earlier in this batch from
    `new_keys`.
    """
    conn, ws, import_id = run.conn, run.workspace_id, run.import_id
    valid = [lead for lead in batch if lead.error is None]
    may_exist = run.seen.may_exist
    emails = [lead.email for lead in valid if lead.email and may_exist(lead.email)]
    linkedins = [lk for lead in valid if (lk := lead.linkedin_key) and may_exist(lk)]
    by_email = q.leads_by(conn, ws, "email", emails)
    by_linkedin = q.leads_by(conn, ws, "linkedin_key", linkedins)
    keys = [k for lead in valid for k in lead.keys]
    earlier = run.seen.first_rows(keys)
    for prefix, found in (("e:", by_email), ("l:", by_linkedin)):
        for value, existing in list(found.items()):
            if existing.created_import_id == import_id and (
                row := run.seen.row_of_lead(existing.id)
            ):
                key = prefix + value
                earlier[key] = min(row, earlier.get(key, row))
                del found[value]
    first_rows: dict[int, int | None] = {}
    new_keys: dict[str, int] = {}
    for lead in valid:
        ids = lead.keys
        rows = [r for k in ids if (r := earlier.get(k) or new_keys.get(k)) is not None]
        first_rows[lead.row] = min(rows) if rows else None
        for k in ids:
            if k not in earlier:
                new_keys.setdefault(k, lead.row)
    fresh_emails = [e for lead in valid if (e := lead.email) and first_rows[lead.row] is None]
    return _Facts(
        first_rows=first_rows,
        by_email=by_email,
        by_linkedin=by_linkedin,
        deleted=_deleted_emails(run, fresh_emails),
        new_keys=new_keys,
    )


def _remember_keys(
    run: ImportRun,
    decided: list[tuple[LeadInput, AccountCode, int | None, dict[str, Any]]],
    facts: _Facts,
) -> None:
    """Keys first seen in this batch: by the lead a row added, else by value."""
    added_rows = set()
    for lead, code, lead_id, _ in decided:
        if code == AccountCode.ADDED and lead_id is not None:
            run.seen.lead_added(lead_id, lead.row, (lead.email, lead.linkedin_key))
            added_rows.add(lead.row)
    run.seen.add({k: row for k, row in facts.new_keys.items() if row not in added_rows})


def _deleted_emails(run: ImportRun, emails: list[str]) -> set[str]:
    """Which of these emails are on the permanently-deleted list (skipped when it is empty)."""
    if not run.deleted_list_in_use or not emails:
        return set()
    by_hash = {email_hash(run.secret_key, e): e for e in emails}
    return {by_hash[h] for h in q.deleted_hashes(run.conn, run.workspace_id, list(by_hash))}


def _account_step(
    run: ImportRun, lead: LeadInput, facts: _Facts, writes: BatchWrites
) -> tuple[LeadInput, AccountCode, int | None, dict[str, Any]]:
    by_email = facts.by_email.get(lead.email) if lead.email else None
    by_li = facts.by_linkedin.get(lead.linkedin_key) if lead.linkedin_key else None
    deleted = lead.email is not None and lead.email in facts.deleted
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
        if run.capacity_left is not None:
            run.capacity_left -= 1
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
    facts: _Facts,
    writes: BatchWrites,
) -> list[RowOutcome]:
    assert run.campaign is not None
    rules = run.campaign
    modified_ids = [lid for _, code, lid, _ in decided if code == AccountCode.MODIFIED and lid]
    memberships = q.memberships_of(run.conn, modified_ids) if modified_ids else {}
    dnc = _dnc_matches(run, decided, facts)
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
                memberships.setdefault(lead_id, []).append(
                    Membership(rules.campaign_id, "", "scheduled")
                )
        outcomes.append(_outcome(lead, code, lead_id, detail, campaign_code))
    return outcomes


def _email_after(
    lead: LeadInput, code: AccountCode, lead_id: int | None, facts: _Facts
) -> str | None:
    if code == AccountCode.MODIFIED and lead_id in facts.touched:
        return facts.touched[lead_id].fields.get("email")
    return lead.email


def _dnc_matches(
    run: ImportRun,
    decided: list[tuple[LeadInput, AccountCode, int | None, dict[str, Any]]],
    facts: _Facts,
) -> set[str]:
    """The emails and domains of this batch found on the do-not-contact list."""
    if not run.dnc_in_use:
        return set()
    emails = {
        e
        for lead, code, lid, _ in decided
        if is_accepted(code) and (e := _email_after(lead, code, lid, facts))
    }
    candidates = [v for e in emails for v in (e, email_domain(e))]
    return q.dnc_values(run.conn, run.workspace_id, candidates)


def _state_of(
    lead: LeadInput,
    code: AccountCode,
    lead_id: int,
    facts: _Facts,
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
    if detail.get("possible_duplicate_of") and RowWarning.POSSIBLE_DUPLICATE not in warnings:
        warnings = (*warnings, RowWarning.POSSIBLE_DUPLICATE)
    if code == AccountCode.MALFORMED_ROW:
        detail.setdefault("row", lead.row)
    return RowOutcome(lead.row, code, campaign_code, lead_id, warnings, detail)

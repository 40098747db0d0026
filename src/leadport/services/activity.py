"""Recording activity on campaign leads (PRODUCT.md §1, §5): the sending system reports events,
leadport keeps them, statistics and the campaign step read them.

One call records a list of events atomically: the first event (in order) that names no lead of
its campaign, no known type or no time refuses the whole list, saying where it was (a file's row
and column, or the event's position in a list). Leads and memberships are looked up a batch at a
time and events written a batch at a time, so a long file never costs one query per event.

Rules decided beyond the spec (docs/statistics-and-export.md):
- `bounced` also marks the lead's email `bounced` (the campaign step's `invalid_lead` reads it).
- `unsubscribed` also sets the lead's status in that campaign to `unsubscribed`.
- An event equal to one already kept (same lead, campaign, type and time) is kept once, so a
  retried API call or a file recorded twice does not count twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, update

from leadport.db.bulk import bulk_insert, db_time, utcnow
from leadport.db.engine import lock_workspace
from leadport.db.lead_lookups import select_in
from leadport.db.schema import campaign_leads, leads
from leadport.domain.activity import (
    TIME_EXAMPLE,
    TYPE_NAMES,
    as_utc,
    parse_activity_time,
    parse_activity_type,
)
from leadport.domain.identity import normalize_email
from leadport.domain.model import ActivityType, EmailStatus, LeadStatus
from leadport.errors import (
    ConflictError,
    InputFileError,
    LeadportError,
    NotFoundError,
    UsageError,
)
from leadport.services import directory
from leadport.services.directory import Campaign, Workspace

BATCH = 2_000
ID_CHUNK = 900
# `+workspace_id`: SQLite then finds the leads by id, not by walking the workspace's email index
_BY_ID = "SELECT id, email FROM leads WHERE +workspace_id = ? AND id {IN}"


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """One reported event. `email` or `lead_id` names the lead; `campaign` (a name) may be left
    out when the call names one; `at` is a datetime, ISO-8601 text, or None/blank for now.
    `row` says where it came from (a file's row, a list's 1-based position), for messages."""

    type: str
    email: str | None = None
    lead_id: int | None = None
    campaign: str | None = None
    at: datetime | str | None = None
    row: int | None = None


@dataclass
class ActivityResult:
    campaign: str | None
    events: int = 0
    recorded: int = 0
    duplicates: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    leads_bounced: int = 0
    unsubscribed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "events": self.events,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "by_type": dict(self.by_type),
            "leads_bounced": self.leads_bounced,
            "unsubscribed": self.unsubscribed,
        }


@dataclass(frozen=True, slots=True)
class _Checked:
    type: ActivityType
    at: datetime
    lead_id: int
    membership_id: int


@dataclass(frozen=True, slots=True)
class _Where:
    """How a refusal names the event: by file row and column, by list position, or not at all."""

    file_name: str | None

    def refuse(
        self, kind: type[LeadportError], event: ActivityEvent, column: str, problem: str
    ) -> LeadportError:
        if self.file_name is not None:
            return InputFileError(
                f"{self.file_name} row {event.row}, column {column}: {problem}; "
                "nothing was recorded.",
                file=self.file_name,
                row=event.row,
                column=column,
            )
        if event.row is not None:
            return kind(
                f"Event {event.row}, {column}: {problem}; nothing was recorded.",
                detail={"event": event.row, "field": column},
            )
        return kind(problem[0].upper() + problem[1:] + ".", detail={"field": column})


def record_activities(
    conn: Connection,
    workspace: Workspace,
    campaign: Campaign | str | None,
    events: Iterable[ActivityEvent],
    *,
    file_name: str | None = None,
    now: datetime | None = None,
) -> ActivityResult:
    """Record the events in the caller's (write) transaction, or refuse them all.

    `campaign` applies to events that name none; `file_name` makes refusals name the file's row
    and column; events without a time get `now` (default: the current time, UTC)."""
    lock_workspace(conn, workspace.id)  # rollbacks archive activity under the same lock
    if isinstance(campaign, str):
        campaign = directory.find_campaign(conn, workspace.id, campaign)
    book = _Campaigns(conn, workspace.id, campaign)
    where = _Where(file_name)
    moment = as_utc(now or utcnow())
    result = ActivityResult(campaign.name if campaign else None)
    for batch in _batches(iter(events)):
        checked = _check_batch(conn, workspace, book, where, batch, moment)
        result.events += len(checked)
        _write(conn, checked, result, moment)
    return result


def _batches(events: Iterator[ActivityEvent]) -> Iterator[list[ActivityEvent]]:
    while batch := list(islice(events, BATCH)):
        yield batch


class _Campaigns:
    """Campaigns named by events, looked up once each."""

    def __init__(self, conn: Connection, workspace_id: int, default: Campaign | None) -> None:
        self.conn, self.workspace_id, self.default = conn, workspace_id, default
        self.by_name: dict[str, Campaign | None] = {}

    def find(self, name: str | None) -> Campaign | None:
        if not name:
            return self.default
        if name not in self.by_name:
            try:
                self.by_name[name] = directory.find_campaign(self.conn, self.workspace_id, name)
            except NotFoundError:
                self.by_name[name] = None
        return self.by_name[name]


def _check_batch(
    conn: Connection,
    workspace: Workspace,
    book: _Campaigns,
    where: _Where,
    batch: list[ActivityEvent],
    now: datetime,
) -> list[_Checked]:
    """Look the batch up in three queries, then check each event in order: the first problem
    refuses everything."""
    emails = {e.email: normalize_email(e.email) for e in batch if e.email and e.email.strip()}
    by_email = dict(
        select_in(
            conn,
            "SELECT email, id FROM leads WHERE workspace_id = ? AND email {IN}",
            [workspace.id],
            [c.value for c in emails.values() if c.valid and c.value],
        )
    )
    by_id: dict[int, str | None] = dict(
        select_in(conn, _BY_ID, [workspace.id], [e.lead_id for e in batch if e.lead_id])
    )
    lookup = _Lookup(emails, by_email, by_id)
    pending: list[tuple[ActivityEvent, _Pending | LeadportError]] = []
    for e in batch:
        try:
            pending.append((e, _check_event(e, lookup, book, where, now)))
        except LeadportError as exc:  # raised below, once the events before it are checked
            pending.append((e, exc))
            break
    memberships = _memberships(conn, [p for _, p in pending if not isinstance(p, LeadportError)])
    checked = []
    for event, outcome in pending:
        if isinstance(outcome, LeadportError):
            raise outcome
        kind, at, lead_id, campaign, who = outcome
        membership = memberships.get((campaign.id, lead_id))
        if membership is None:
            column = "email" if event.email else "lead_id"
            problem = f"the lead {who} is not in the campaign {campaign.name!r}"
            raise where.refuse(ConflictError, event, column, problem)
        checked.append(_Checked(kind, at, lead_id, membership))
    return checked


@dataclass(frozen=True, slots=True)
class _Lookup:
    emails: dict[str, Any]
    by_email: dict[str, int]
    by_id: dict[int, str | None]


_Pending = tuple[ActivityType, datetime, int, Campaign, str]


def _check_event(
    e: ActivityEvent, found: _Lookup, book: _Campaigns, where: _Where, now: datetime
) -> _Pending:
    """Everything but the membership, in column order: lead named, type, time, campaign, lead."""
    column = "email" if e.email is not None or e.lead_id is None else "lead_id"
    if (e.email is None or not e.email.strip()) and e.lead_id is None:
        problem = (
            "the email is empty"
            if where.file_name
            else "the event names no lead (give its email or lead_id)"
        )
        raise where.refuse(UsageError, e, "email", problem)
    check = found.emails.get(e.email) if e.email and e.email.strip() else None
    if check is not None and not (check.valid and check.value):
        problem = f"{(e.email or '').strip()!r} is not a valid email address"
        raise where.refuse(UsageError, e, "email", problem)
    kind = parse_activity_type(e.type or "")
    if kind is None:
        problem = f"{(e.type or '').strip()!r} is not an activity type (use one of {TYPE_NAMES})"
        raise where.refuse(UsageError, e, "type", problem)
    at = _time(e, where, now)
    campaign = book.find(e.campaign)
    if campaign is None:
        problem = (
            f"there is no campaign named {e.campaign!r} in this workspace"
            if e.campaign
            else "the event names no campaign"
        )
        raise where.refuse(NotFoundError, e, "campaign", problem)
    lead_id, who = _lead(e, check, found, where, column)
    return kind, at, lead_id, campaign, who


def _time(e: ActivityEvent, where: _Where, now: datetime) -> datetime:
    if isinstance(e.at, datetime):
        return as_utc(e.at)
    if e.at is None or not e.at.strip():
        return now
    at = parse_activity_time(e.at)
    if at is None:
        problem = f"{e.at.strip()!r} is not an ISO-8601 time such as {TIME_EXAMPLE}"
        raise where.refuse(UsageError, e, "at", problem)
    return at


def _lead(
    e: ActivityEvent, check: Any, found: _Lookup, where: _Where, column: str
) -> tuple[int, str]:
    if check is not None:
        lead_id = found.by_email.get(check.value)
        if lead_id is None:
            problem = f"no lead has the email {check.value} in this workspace"
            raise where.refuse(NotFoundError, e, column, problem)
        if e.lead_id is not None and e.lead_id != lead_id:
            problem = f"the email {check.value} and the lead_id {e.lead_id} name different leads"
            raise where.refuse(UsageError, e, column, problem)
        return lead_id, str(check.value)
    assert e.lead_id is not None
    if e.lead_id not in found.by_id:
        raise where.refuse(
            NotFoundError, e, column, f"no lead has the id {e.lead_id} in this workspace"
        )
    return e.lead_id, found.by_id[e.lead_id] or f"lead {e.lead_id}"


def _memberships(conn: Connection, pending: list[_Pending]) -> dict[tuple[int, int], int]:
    """(campaign id, lead id) → membership id, one query per campaign named in the batch."""
    wanted: dict[int, list[int]] = {}
    for _, _, lead_id, campaign, _ in pending:
        wanted.setdefault(campaign.id, []).append(lead_id)
    found: dict[tuple[int, int], int] = {}
    for campaign_id, lead_ids in wanted.items():
        rows = select_in(
            conn,
            "SELECT lead_id, id FROM campaign_leads WHERE campaign_id = ? AND lead_id {IN}",
            [campaign_id],
            lead_ids,
        )
        found.update({(campaign_id, lead): membership for lead, membership in rows})
    return found


def _write(
    conn: Connection, checked: list[_Checked], result: ActivityResult, now: datetime
) -> None:
    """Insert the events not kept yet, then apply what bounces and unsubscriptions imply."""
    kept = _kept_keys(conn, [c.membership_id for c in checked])
    rows = []
    for c in checked:
        key = (c.membership_id, c.type.value, c.at.isoformat())
        if key in kept:
            result.duplicates += 1
            continue
        kept.add(key)
        rows.append((c.membership_id, c.type.value, db_time(conn, c.at)))
        result.by_type[c.type.value] = result.by_type.get(c.type.value, 0) + 1
    bulk_insert(conn, "activities", ("campaign_lead_id", "type", "at"), rows)
    result.recorded += len(rows)
    bounced = {c.lead_id for c in checked if c.type == ActivityType.BOUNCED}
    for chunk in _chunks(bounced):
        result.leads_bounced += conn.execute(
            update(leads)
            .where(leads.c.id.in_(chunk))
            .where(leads.c.email_status.is_(None) | (leads.c.email_status != EmailStatus.BOUNCED))
            .values(email_status=EmailStatus.BOUNCED, updated_at=now)
        ).rowcount
    gone = {c.membership_id for c in checked if c.type == ActivityType.UNSUBSCRIBED}
    for chunk in _chunks(gone):
        result.unsubscribed += conn.execute(
            update(campaign_leads)
            .where(campaign_leads.c.id.in_(chunk))
            .where(campaign_leads.c.status != LeadStatus.UNSUBSCRIBED)
            .values(status=LeadStatus.UNSUBSCRIBED, updated_at=now)
        ).rowcount


def _kept_keys(conn: Connection, membership_ids: list[int]) -> set[tuple[int, str, str]]:
    """(membership, type, UTC time) of the events these memberships already have (earlier
    batches of this call included: they are in the same transaction)."""
    rows = select_in(
        conn,
        "SELECT campaign_lead_id, type, at FROM activities WHERE campaign_lead_id {IN}",
        [],
        membership_ids,
    )
    return {(m, t, _stored_time(at).isoformat()) for m, t, at in rows}


def _stored_time(value: datetime | str) -> datetime:
    """SQLite hands the driver's text back (naive UTC), PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)


def _chunks(ids: set[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), ID_CHUNK):
        yield ordered[start : start + ID_CHUNK]

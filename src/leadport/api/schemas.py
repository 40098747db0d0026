"""The API's JSON shapes, in families (`…Create` in, `…Public` out), matching PRODUCT.md §7.

Import options are not redefined here: a batch's body is `ImportOptions` (the same model the
CLI builds and the import row stores) plus its rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from leadport.domain.model import LeadStatus, Mode, Policy, Role

IdStr = str
# SQLite hands timestamps back without their zone: they are UTC, and the API says so.
Utc = Annotated[datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))]


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- imports ---------------------------------------------------------------------------------
class ImportAccepted(_Out):
    import_id: IdStr
    state: str = Field(description="`queued` at first; follow it at GET /api/v1/imports/{id}.")
    repeat_of: dict[str, Any] | None = Field(
        default=None,
        description="An earlier completed import of the same file into the same target, if any.",
    )


class AccountCounts(_Out):
    added: int
    modified: int
    rejected: int


class CampaignCounts(_Out):
    imported: int
    excluded_duplicates: int
    active_elsewhere: int
    failed: int


class ImportPublic(_Out):
    import_id: IdStr
    state: str = Field(description="queued, running, completed, failed, cancelled or rolled_back.")
    source: str
    file_name: str | None
    dry_run: bool
    member: str | None = Field(description="Login email of the member who imported.")
    campaign: str | None
    created_at: Utc | None
    started_at: Utc | None
    finished_at: Utc | None
    rows_done: int = Field(description="Rows read so far (all of them once finished).")
    rows_total: int | None = Field(
        description="Rows in the input, known once finished (or for a batch)."
    )
    progress_done: int = Field(description="How much of the input was read, in `progress_unit`.")
    progress_total: int | None = Field(
        description="The input's size in `progress_unit`, once known."
    )
    progress_unit: str = Field(
        description="`bytes` for a CSV file, `rows` for XLSX sheets and batches."
    )
    error: str | None = Field(description="Why it failed or was cancelled.")
    worker: str | None = Field(description="The worker that runs (or ran) it, as `name@host:pid`.")
    repeat_of: IdStr | None
    account: AccountCounts | None
    campaign_counts: CampaignCounts | None
    codes: dict[str, int]


class ReportRow(_Out):
    row: int
    code: str
    campaign_code: str | None
    lead_id: IdStr | None
    message: str
    warnings: list[str]
    detail: dict[str, Any]


class ImportReport(_Out):
    """The machine-readable report (the CLI's `import --json`)."""

    import_id: IdStr
    state: str
    dry_run: bool
    source: str
    file_name: str | None
    rows_read: int
    account: AccountCounts
    campaign: CampaignCounts | None
    codes: dict[str, int]
    rows: list[ReportRow]


CellValue = str | int | float | bool | None | list[str]


class ImportBatchCreate(BaseModel):
    """Import options (as for a file) and the rows, each an object of column → value."""

    model_config = ConfigDict(extra="forbid")

    campaign: str | None = None
    mode: Mode = Mode.CREATE_AND_UPDATE
    policy: Policy | None = None
    overwrite: bool = False
    mapping: dict[str, str] = Field(
        default_factory=dict, description="Column → field (or custom:NAME, ignore)."
    )
    ignore: list[str] = Field(default_factory=list)
    saved_mapping: str | None = None
    save_mapping_as: str | None = None
    tags: list[str] = Field(default_factory=list)
    transforms: list[str] = Field(default_factory=list)
    dry_run: bool = False
    rows: list[dict[str, CellValue]] = Field(
        description='The leads, e.g. {"email": "a@b.com", "first_name": "Ann"}.'
    )


class ImportHistoryItem(_Out):
    """One import of the history (an element of `imports list --json`)."""

    import_id: IdStr
    file_name: str | None
    source: str = Field(description="csv, xlsx, api, crm or manual.")
    state: str = Field(description="queued, running, completed, failed, cancelled or rolled_back.")
    created_at: str | None = Field(
        description="ISO 8601 in UTC with its offset.",
        json_schema_extra={"format": "date-time"},
        examples=["2025-03-04T09:15:02.123456+00:00"],
    )
    member: str | None = Field(
        description="Login email of the member who imported (null if removed since)."
    )
    campaign: str | None = Field(description="The campaign's name; null for an account import.")
    account: AccountCounts = Field(
        description="As stored when it finished; zeros while it has not."
    )
    campaign_counts: CampaignCounts | None = Field(
        description="As stored when it finished; null without a campaign step or while running."
    )


class CancelPublic(_Out):
    import_id: IdStr
    state: str = Field(
        description="`cancelled`, or `running` while its worker stops (then `cancelled`)."
    )


class KeptValue(_Out):
    """A value changed again since, so it stayed as it is (the newer value wins)."""

    email: str | None = Field(description="The lead's email (null for a lead without one).")
    field: str = Field(
        description="A lead field, `custom:NAME` or `tag:NAME`.", examples=["job_title"]
    )
    value: str | None = Field(
        description="The value it keeps (a tag: `1` when present, null when absent)."
    )


class RollbackPublic(_Out):
    """The `rollback --json` object (PRODUCT.md §7), the same figures for a preview and a rollback."""

    import_id: IdStr
    preview: bool = Field(description="True when nothing was changed (`?preview=true`).")
    memberships: int = Field(description="Campaign memberships the import created, removed.")
    leads_deleted: int = Field(
        description="Leads the import created that no other campaign holds, deleted."
    )
    with_activity: int = Field(description="Removed memberships that had any activity.")
    replied: int = Field(description="Removed memberships with a reply.")
    meetings_booked: int = Field(description="Removed memberships with a meeting booked.")
    backup_file: str | None = Field(
        description="Where to download the backup CSV of what was removed "
        "(`/api/v1/imports/{id}/backup.csv`); null in a preview.",
        examples=["/api/v1/imports/12/backup.csv"],
    )
    leads_reverted: int = Field(description="Leads that existed before and get old values back.")
    fields_restored: int = Field(
        description="Field values, custom fields and tags put back to their value before the import."
    )
    kept_newer: list[KeptValue] = Field(
        description="Values changed since the import: they keep the newer value."
    )


class RestoreSkip(_Out):
    email: str | None
    linkedin_url: str | None
    reason: str = Field(examples=["email already belongs to another lead"])


class RestorePublic(_Out):
    """The `restore --json` object (PRODUCT.md §7)."""

    import_id: IdStr
    leads_restored: int = Field(description="Leads the rollback deleted, back with their ids.")
    memberships_restored: int = Field(
        description="Memberships back with their status and activity."
    )
    fields_restored: int = Field(
        description="Field values, custom fields and tags back at the import's value."
    )
    skipped: list[RestoreSkip] = Field(
        description="Leads and memberships left out, with the reason (identifier taken since…)."
    )
    kept_newer: list[KeptValue] = Field(
        description="Values changed since the rollback: they keep the newer value."
    )


# -- campaigns, members, leads, lists --------------------------------------------------------
class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    required_fields: list[str] = Field(default_factory=list, description="Fields its messages use.")
    reject_invalid_leads: bool = False


class CampaignPublic(_Out):
    id: IdStr
    name: str
    state: str
    required_fields: list[str]
    reject_invalid_leads: bool


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    role: Role = Role.MEMBER


class MemberPublic(_Out):
    id: IdStr
    email: str
    role: str


class LeadCampaign(_Out):
    campaign: str = Field(description="The campaign's name.")
    status: LeadStatus
    import_id: IdStr | None = Field(description="The import that added it; null if none did.")


class LeadPublic(_Out):
    """A lead as `lead show --json` gives it (PRODUCT.md §7); absent values are null."""

    id: IdStr
    email: str | None
    linkedin_url: str | None
    first_name: str | None
    last_name: str | None
    company_name: str | None
    company_domain: str | None
    job_title: str | None
    phone: str | None
    custom_fields: dict[str, str] = Field(description="Name → text, in the order they were added.")
    tags: list[str] = Field(description="In the order they were added.")
    campaigns: list[LeadCampaign] = Field(description="In the order the lead joined them.")


class LeadPage(_Out):
    """A page of leads by id; ask for the next one with `after=` the `next` given here."""

    leads: list[LeadPublic]
    next: IdStr | None = Field(
        description="The `after` of the next page; null on the last page.", examples=["4212"]
    )


class LeadStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: LeadStatus = Field(description="The lead's status in the campaign, spelled exactly.")


class StatusChangePublic(_Out):
    """The `lead status --json` object."""

    lead_id: IdStr
    lead: str = Field(description="The lead's email, else its LinkedIn URL.")
    campaign: str = Field(description="The campaign's name.")
    old_status: LeadStatus = Field(description="Its status before (the same when unchanged).")
    status: LeadStatus


class LeadDeletionPublic(_Out):
    """The `lead delete --json` object."""

    lead_id: IdStr
    email: str | None
    linkedin_url: str | None
    permanent: bool = Field(description="True when the email went on the permanently-deleted list.")
    campaigns: list[str] = Field(description="The campaigns it was removed from.")
    memberships: int = Field(description="Campaign memberships deleted with it.")
    activities: int = Field(description="Activity events deleted with its memberships.")


class ActivityCreate(BaseModel):
    """One event the sending system reports: name the lead by `email` or `lead_id` (or both)."""

    model_config = ConfigDict(extra="forbid")
    email: str | None = Field(
        default=None,
        description="The lead's email (normalized as an import does: case and spaces do not count).",
        examples=["ann@acme.com"],
    )
    lead_id: IdStr | None = Field(
        default=None,
        pattern=r"^[0-9]{1,10}$",
        description="The lead's id (a string, as every id in a JSON body).",
        examples=["4212"],
    )
    campaign: str = Field(
        min_length=1,
        description="The campaign's name, as in an import; the lead must be in it.",
        examples=["Q4 outreach"],
    )
    type: str = Field(
        description="sent, opened, clicked, replied, bounced, meeting_booked or unsubscribed "
        "(case ignored).",
        examples=["replied"],
    )
    at: str | None = Field(
        default=None,
        description="When it happened, ISO 8601 (`2026-05-01T09:30:00Z`, `2026-05-01 11:30+02:00`, "
        "`2026-05-01`); without an offset it is UTC; left out or null: the time of recording.",
        examples=["2026-05-01T09:30:00Z"],
    )


class ActivityResultPublic(_Out):
    """What a list or a file of events did (the `activity import --json` object)."""

    campaign: str | None = Field(
        description="The campaign's name when every event is in one campaign, else null."
    )
    events: int = Field(description="Events received.")
    recorded: int = Field(description="Events kept now.")
    duplicates: int = Field(
        description="Events equal to one already kept (same lead, campaign, type and time): "
        "skipped, so a retry does not count twice."
    )
    by_type: dict[str, int] = Field(description="Events kept now, per type.")
    leads_bounced: int = Field(description="Leads whose email was marked bounced by this call.")
    unsubscribed: int = Field(
        description="Memberships whose status turned `unsubscribed` by this call."
    )


class DncCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(
        min_length=1, max_length=320, description="An email, or a whole domain (`acme.com`)."
    )


class DncPublic(_Out):
    value: str
    kind: str


class DeletedListCleaned(_Out):
    removed: int = Field(description="Emails taken off the permanently-deleted list.")


class StatCount(_Out):
    count: int = Field(description="Leads of the campaign that count for this figure.")
    rate: float = Field(description="count / leads, a fraction (0 when the campaign has no leads).")


class StatsPublic(_Out):
    """The `stats --json` object: each figure is a count of the campaign's current leads and its
    rate over them."""

    campaign: str = Field(description="The campaign's name.")
    leads: int = Field(description="The campaign's leads now, whatever their status.")
    contacted: StatCount = Field(description="Leads with a `sent` event.")
    opened: StatCount
    clicked: StatCount
    replied: StatCount
    interested: StatCount = Field(description="Leads whose status is `interested`.")
    bounced: StatCount
    meetings_booked: StatCount = Field(description="Leads with a `meeting_booked` event.")
    unsubscribed: StatCount = Field(
        description="Leads with an `unsubscribed` event or status (counted once)."
    )


# -- API keys --------------------------------------------------------------------------------
class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    member_email: str | None = Field(
        default=None, description="The member the key is for (default: you)."
    )


class ApiKeyPublic(_Out):
    id: IdStr
    name: str | None
    prefix: str
    member: str
    created_at: Utc
    last_used_at: Utc | None
    revoked_at: Utc | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself: shown this once, stored only as a keyed hash.")


class WorkspacePublic(_Out):
    id: IdStr
    name: str
    plan: str
    lead_limit: int | None
    region: str | None
    default_policy: str
    members_can_rollback: bool
    me: MemberPublic


class Health(_Out):
    status: str
    database: str
    queue: str

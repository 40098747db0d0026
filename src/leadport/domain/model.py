"""The vocabulary of PRODUCT.md §1 as enums and constants; pure Python, no I/O."""

from __future__ import annotations

from enum import StrEnum

# The standard lead fields, in export order. Names are never identifiers.
LEAD_FIELDS: tuple[str, ...] = (
    "email",
    "linkedin_url",
    "first_name",
    "last_name",
    "company_name",
    "company_domain",
    "job_title",
    "phone",
)

# Pseudo-fields a column can be mapped to besides the lead fields.
EXTRA_TARGETS: tuple[str, ...] = ("full_name", "company_legal_suffix", "tags")


class Plan(StrEnum):
    TRIAL = "trial"
    PAID = "paid"


TRIAL_LEAD_LIMIT = 100


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class CampaignState(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"
    ARCHIVED = "archived"


class LeadStatus(StrEnum):
    IN_PROGRESS = "inProgress"
    PAUSED = "paused"
    REVIEWED = "reviewed"
    SCHEDULED = "scheduled"
    DONE = "done"
    INTERESTED = "interested"
    NOT_INTERESTED = "notInterested"
    UNSUBSCRIBED = "unsubscribed"


ACTIVE_STATUSES: frozenset[str] = frozenset(
    {LeadStatus.IN_PROGRESS, LeadStatus.PAUSED, LeadStatus.REVIEWED, LeadStatus.SCHEDULED}
)
ENDED_STATUSES: frozenset[str] = frozenset(
    {LeadStatus.DONE, LeadStatus.INTERESTED, LeadStatus.NOT_INTERESTED, LeadStatus.UNSUBSCRIBED}
)


class ActivityType(StrEnum):
    SENT = "sent"
    OPENED = "opened"
    CLICKED = "clicked"
    REPLIED = "replied"
    BOUNCED = "bounced"
    MEETING_BOOKED = "meeting_booked"
    UNSUBSCRIBED = "unsubscribed"


class Source(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    API = "api"
    CRM = "crm"
    MANUAL = "manual"


ROLLBACK_SOURCES: frozenset[str] = frozenset({Source.CSV, Source.XLSX, Source.API, Source.CRM})


class ImportState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ROLLED_BACK = "rolled_back"


class Mode(StrEnum):
    CREATE_AND_UPDATE = "create_and_update"
    CREATE_ONLY = "create_only"
    UPDATE_ONLY = "update_only"


class Policy(StrEnum):
    CAMPAIGN = "campaign"
    ACTIVE = "active"
    WORKSPACE = "workspace"


class EmailStatus(StrEnum):
    """Verification result kept on the lead; `bounced` is set when a bounce is recorded."""

    VALID = "valid"
    RISKY = "risky"
    INVALID = "invalid"
    UNKNOWN = "unknown"
    BOUNCED = "bounced"


FAILED_EMAIL_STATUSES: frozenset[str] = frozenset({EmailStatus.INVALID, EmailStatus.BOUNCED})

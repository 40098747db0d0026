"""Row outcome codes (exactly PRODUCT.md §3), the message catalog, and RowOutcome.

A row outcome is a value, never an exception: every door renders the same words from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AccountCode(StrEnum):
    """Account-step codes; rejections listed in the order they are checked."""

    MALFORMED_ROW = "malformed_row"
    MISSING_IDENTIFIER = "missing_identifier"
    INVALID_EMAIL = "invalid_email"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    PERMANENTLY_DELETED = "permanently_deleted"
    IDENTITY_CONFLICT = "identity_conflict"
    ALREADY_EXISTS = "already_exists"
    NOT_FOUND = "not_found"
    PLAN_LIMIT = "plan_limit"
    ADDED = "added"
    MODIFIED = "modified"


ACCEPTED_ACCOUNT_CODES = frozenset({AccountCode.ADDED, AccountCode.MODIFIED})


class CampaignCode(StrEnum):
    """Campaign-step codes; rejections listed in the order they are checked."""

    DO_NOT_CONTACT = "do_not_contact"
    IN_CAMPAIGN = "in_campaign"
    ACTIVE_ELSEWHERE = "active_elsewhere"
    IN_OTHER_CAMPAIGN = "in_other_campaign"
    MISSING_FIELD = "missing_field"
    INVALID_LEAD = "invalid_lead"
    IMPORTED = "imported"


# How the report's campaign counters group the campaign codes.
EXCLUDED_DUPLICATE_CODES = frozenset({CampaignCode.IN_CAMPAIGN, CampaignCode.IN_OTHER_CAMPAIGN})
FAILED_CAMPAIGN_CODES = frozenset(
    {CampaignCode.DO_NOT_CONTACT, CampaignCode.MISSING_FIELD, CampaignCode.INVALID_LEAD}
)


class RowWarning(StrEnum):
    """Warnings attached to accepted rows; a doubtful field never rejects a row."""

    LINKEDIN_UNRECOGNIZED = "linkedin_unrecognized"
    PHONE_UNPARSEABLE = "phone_unparseable"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    CELL_TRUNCATED = "cell_truncated"


MESSAGES: dict[str, str] = {
    AccountCode.MALFORMED_ROW: "row {row} could not be read: {reason}",
    AccountCode.MISSING_IDENTIFIER: "Missing email and LinkedIn URL",
    AccountCode.INVALID_EMAIL: "Invalid email format",
    AccountCode.DUPLICATE_IN_FILE: "Duplicate of row {first_row} in this file",
    AccountCode.PERMANENTLY_DELETED: "Email was permanently deleted",
    AccountCode.IDENTITY_CONFLICT: (
        "Email belongs to lead {email_lead_id} but LinkedIn URL belongs to lead {linkedin_lead_id}"
    ),
    AccountCode.ALREADY_EXISTS: "Email already belongs to a lead within the account",
    AccountCode.NOT_FOUND: "No existing lead matches this row",
    AccountCode.PLAN_LIMIT: "Max number of leads reached ({limit})",
    AccountCode.ADDED: "New lead added",
    AccountCode.MODIFIED: "Existing lead re-imported ({fields_changed} fields changed)",
    CampaignCode.DO_NOT_CONTACT: "{value} is on the do-not-contact list",
    CampaignCode.IN_CAMPAIGN: "Lead is already in this campaign",
    CampaignCode.ACTIVE_ELSEWHERE: "Lead is {status} in campaign {campaign}",
    CampaignCode.IN_OTHER_CAMPAIGN: "Lead is already in campaign {campaign}",
    CampaignCode.MISSING_FIELD: "Campaign requires {field}, which this lead lacks",
    CampaignCode.INVALID_LEAD: "Campaign rejects invalid leads: {reason}",
    CampaignCode.IMPORTED: "Imported into the campaign",
}


def message_for(code: str, detail: dict[str, Any]) -> str:
    """The catalog text for a code, filled from the outcome's detail."""
    if code == AccountCode.MODIFIED and detail.get("fields_changed") == 1:
        return "Existing lead re-imported (1 field changed)"
    return MESSAGES[code].format_map(_Lenient(detail))


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(slots=True)  # not frozen: built for every row, and frozen costs ≈ 1 µs more
class RowOutcome:
    """What happened to one input row: its account code and, if a campaign step ran, that code."""

    row: int
    code: str
    campaign_code: str | None = None
    lead_id: int | None = None
    warnings: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if self.code in ACCEPTED_ACCOUNT_CODES and self.campaign_code not in (
            None,
            CampaignCode.IMPORTED,
        ):
            return message_for(self.campaign_code, self.detail)
        return message_for(self.code, self.detail)

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "code": self.code,
            "campaign_code": self.campaign_code,
            "lead_id": None if self.lead_id is None else str(self.lead_id),
            "message": self.message,
            "warnings": list(self.warnings),
            "detail": self.detail,
        }

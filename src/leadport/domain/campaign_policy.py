"""The campaign step and the three duplicate policies (PRODUCT.md §3, "Campaign step")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadport.domain.model import ACTIVE_STATUSES, FAILED_EMAIL_STATUSES, Policy
from leadport.domain.outcomes import CampaignCode


@dataclass(slots=True)  # these three are built per row: not frozen, which costs ≈ 1 µs more
class Membership:
    campaign_id: int
    campaign_name: str
    status: str


@dataclass(frozen=True, slots=True)
class CampaignRules:
    campaign_id: int
    policy: Policy
    required_fields: tuple[str, ...]
    reject_invalid_leads: bool


@dataclass(slots=True)
class LeadState:
    """The lead as it will be after this row: what the campaign checks look at."""

    email: str | None
    fields: dict[str, Any]
    custom: dict[str, Any]
    email_status: str | None
    memberships: tuple[Membership, ...]
    dnc_match: str | None  # the email or domain found on the do-not-contact list


@dataclass(slots=True)
class CampaignDecision:
    code: CampaignCode
    detail: dict[str, Any] | None = None


def imports_any_new_lead(rules: CampaignRules) -> bool:
    """Whether `decide_campaign` says `imported` for every lead with no membership and no
    do-not-contact match, whatever its fields: the import skips building its state then."""
    return not rules.required_fields and not rules.reject_invalid_leads


def decide_campaign(lead: LeadState, rules: CampaignRules) -> CampaignDecision:
    if lead.dnc_match:
        return CampaignDecision(CampaignCode.DO_NOT_CONTACT, {"value": lead.dnc_match})
    others = [m for m in lead.memberships if m.campaign_id != rules.campaign_id]
    if len(others) != len(lead.memberships):
        return CampaignDecision(CampaignCode.IN_CAMPAIGN)
    if rules.policy == Policy.ACTIVE:
        active = [m for m in others if m.status in ACTIVE_STATUSES]
        if active:
            first = min(active, key=lambda m: m.campaign_name)
            return CampaignDecision(
                CampaignCode.ACTIVE_ELSEWHERE,
                {"campaign": first.campaign_name, "status": first.status},
            )
    if rules.policy == Policy.WORKSPACE and others:
        first = min(others, key=lambda m: m.campaign_name)
        return CampaignDecision(
            CampaignCode.IN_OTHER_CAMPAIGN,
            {"campaign": first.campaign_name, "status": first.status},
        )
    for required in rules.required_fields:
        if not _has_field(lead, required):
            return CampaignDecision(CampaignCode.MISSING_FIELD, {"field": required})
    if rules.reject_invalid_leads:
        reason = _invalid_reason(lead)
        if reason:
            return CampaignDecision(CampaignCode.INVALID_LEAD, {"reason": reason})
    return CampaignDecision(CampaignCode.IMPORTED)


def _has_field(lead: LeadState, name: str) -> bool:
    key = name.removeprefix("custom:")
    return bool(lead.fields.get(name) or lead.custom.get(key))


def _invalid_reason(lead: LeadState) -> str | None:
    if not lead.email:
        return "the lead has no email"
    if lead.email_status in FAILED_EMAIL_STATUSES:
        return f"its email is {lead.email_status}"
    return None

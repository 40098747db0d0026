"""Campaign statistics (PRODUCT.md §5), computed live in one aggregate query.

Nothing is stored: counts come from the campaign's current memberships and their activity, so
they follow every rollback, restore and deletion by construction. A lead counts once per metric,
however many events of that type it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, or_, select

from leadport.db.schema import activities, campaign_leads
from leadport.domain.model import ActivityType, LeadStatus
from leadport.services.directory import Campaign

# Statistic → the activity type that makes a lead count, in the contract's order. `interested`
# is a status only; `unsubscribed` is an activity or the status.
BY_ACTIVITY: dict[str, ActivityType] = {
    "contacted": ActivityType.SENT,
    "opened": ActivityType.OPENED,
    "clicked": ActivityType.CLICKED,
    "replied": ActivityType.REPLIED,
    "bounced": ActivityType.BOUNCED,
    "meetings_booked": ActivityType.MEETING_BOOKED,
}
STAT_KEYS: tuple[str, ...] = (
    "contacted",
    "opened",
    "clicked",
    "replied",
    "interested",
    "bounced",
    "meetings_booked",
    "unsubscribed",
)


@dataclass(frozen=True)
class CampaignStats:
    campaign: str
    campaign_id: int
    leads: int
    counts: dict[str, int]

    def rate(self, key: str) -> float:
        """Count over the campaign's current leads, as a fraction (0 when it has none)."""
        return self.counts[key] / self.leads if self.leads else 0.0

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"campaign": self.campaign, "leads": self.leads}
        for key in STAT_KEYS:
            body[key] = {"count": self.counts[key], "rate": self.rate(key)}
        return body


def campaign_stats(conn: Connection, campaign: Campaign) -> CampaignStats:
    """The campaign's statistics as they stand now."""
    members = campaign_leads
    has = {t: func.max(case((activities.c.type == t.value, 1), else_=0)) for t in ActivityType}
    flags = (
        select(activities.c.campaign_lead_id, *(v.label(t.value) for t, v in has.items()))
        .where(
            activities.c.campaign_lead_id.in_(
                select(members.c.id).where(members.c.campaign_id == campaign.id)
            )
        )
        .group_by(activities.c.campaign_lead_id)
        .subquery()
    )

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    columns = {key: count(flags.c[t.value] == 1) for key, t in BY_ACTIVITY.items()}
    columns["interested"] = count(members.c.status == LeadStatus.INTERESTED)
    columns["unsubscribed"] = count(
        or_(
            members.c.status == LeadStatus.UNSUBSCRIBED,
            flags.c[ActivityType.UNSUBSCRIBED.value] == 1,
        )
    )
    query = (
        select(func.count(), *(columns[k].label(k) for k in STAT_KEYS))
        .select_from(members.outerjoin(flags, flags.c.campaign_lead_id == members.c.id))
        .where(members.c.campaign_id == campaign.id)
    )
    row = conn.execute(query).one()
    counts = {key: int(value) for key, value in zip(STAT_KEYS, row[1:], strict=True)}
    return CampaignStats(campaign.name, campaign.id, int(row[0]), counts)


def stats_table(stats: CampaignStats) -> list[tuple[str, int, float | None]]:
    """(metric, count, rate) rows, leads first: the human table and the statistics CSV."""
    return [("leads", stats.leads, None)] + [
        (key, stats.counts[key], stats.rate(key)) for key in STAT_KEYS
    ]

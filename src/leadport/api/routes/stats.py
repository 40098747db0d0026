"""A campaign's statistics: the `stats --json` object, and the statistics CSV.

Computed live from the campaign's current memberships and their activity (`services.stats`), so
they follow every activity call, rollback, restore and deletion at once.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Response

from leadport.api.deps import CampaignId, MemberDep, ServerDep
from leadport.api.errors import error_responses
from leadport.api.schemas import StatsPublic
from leadport.db.engine import read_transaction
from leadport.services import directory
from leadport.services.directory import Member
from leadport.services.exports import export_stats
from leadport.services.stats import CampaignStats, campaign_stats

router = APIRouter(prefix="/api/v1/campaigns", tags=["statistics"])


@router.get("/{campaign_id}/stats", response_model=StatsPublic, responses=error_responses(404))
def get_stats(campaign_id: CampaignId, member: MemberDep, srv: ServerDep) -> Any:
    """The campaign's statistics, the same object as `leadport stats CAMPAIGN --json`.

    Each figure counts the campaign's current leads with at least one event of its type
    (`interested` by status, `unsubscribed` by event or status) and gives `rate` = count / leads.
    """
    return _stats(srv.app.engine, member, campaign_id).to_json()


@router.get(
    "/{campaign_id}/stats.csv",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The columns campaign, metric, count, rate: one line per figure, "
            "`leads` first (its rate empty), rates as fractions with four decimals.",
        },
        **error_responses(404),
    },
)
def get_stats_csv(campaign_id: CampaignId, member: MemberDep, srv: ServerDep) -> Any:
    """The campaign's statistics as CSV (UTF-8 with a BOM), as `leadport export stats` writes it."""
    out = io.BytesIO()
    export_stats(_stats(srv.app.engine, member, campaign_id), out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="stats-{campaign_id}.csv"'},
    )


def _stats(engine: Any, member: Member, campaign_id: int) -> CampaignStats:
    with read_transaction(engine) as conn:
        campaign = directory.campaign_by_id(conn, member.workspace_id, campaign_id)
        return campaign_stats(conn, campaign)

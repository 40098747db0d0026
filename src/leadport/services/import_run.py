"""The state one import carries from batch to batch, and its running counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection

from leadport.db.import_writes import LeadIds
from leadport.db.seen_keys import SeenKeys
from leadport.db.staging import StagedTable
from leadport.domain.campaign_policy import CampaignRules
from leadport.domain.model import Mode
from leadport.domain.outcomes import (
    ACCEPTED_ACCOUNT_CODES,
    EXCLUDED_DUPLICATE_CODES,
    FAILED_CAMPAIGN_CODES,
    CampaignCode,
    RowOutcome,
)
from leadport.services.write_behind import WriteBehind

RowSink = Callable[[RowOutcome], None]
_code, _campaign_code = attrgetter("code"), attrgetter("campaign_code")


@dataclass(slots=True)
class Tally:
    """Counts that make up the report's summary; they add up to the rows read by construction."""

    rows_read: int = 0
    codes: Counter[str] = field(default_factory=Counter)

    def count(self, outcomes: Sequence[RowOutcome]) -> None:
        self.rows_read += len(outcomes)
        self.codes.update(map(_code, outcomes))
        self.codes.update(filter(None, map(_campaign_code, outcomes)))

    def summary(self, *, campaign_step: bool) -> dict[str, Any]:
        c = self.codes
        added, modified = c["added"], c["modified"]
        campaign = None
        if campaign_step:
            campaign = {
                "imported": c[CampaignCode.IMPORTED],
                "excluded_duplicates": sum(c[k] for k in EXCLUDED_DUPLICATE_CODES),
                "active_elsewhere": c[CampaignCode.ACTIVE_ELSEWHERE],
                "failed": sum(c[k] for k in FAILED_CAMPAIGN_CODES),
            }
        return {
            "rows_read": self.rows_read,
            "account": {
                "added": added,
                "modified": modified,
                "rejected": self.rows_read - added - modified,
            },
            "campaign": campaign,
            "codes": {k: v for k, v in sorted(c.items()) if v},
        }


def is_accepted(code: str) -> bool:
    return code in ACCEPTED_ACCOUNT_CODES


@dataclass(slots=True)
class ImportRun:
    conn: Connection
    workspace_id: int
    import_id: int
    mode: Mode
    overwrite: bool
    campaign: CampaignRules | None
    secret_key: str
    now: datetime
    seen: SeenKeys
    capacity_left: int | None
    plan_limit: int | None
    batch_size: int = 2000
    # Whether the workspace's lists hold anything: most do not, and then no row needs the look-up.
    deleted_list_in_use: bool = True
    dnc_in_use: bool = True
    tally: Tally = field(default_factory=Tally)
    row_sink: RowSink | None = None
    writer: WriteBehind = field(default_factory=WriteBehind)
    lead_ids: LeadIds = field(default_factory=LeadIds)
    staged_leads: StagedTable | None = None  # SQLite: new leads' temporary twin (db/staging.py)
    # Whether a row that matches nobody is added: a mode that adds, and room under the limit.
    may_add: bool = field(init=False)

    def __post_init__(self) -> None:
        self.may_add = self.mode != Mode.UPDATE_ONLY and (
            self.capacity_left is None or self.capacity_left > 0
        )

    def lead_added(self) -> None:
        """One less lead may be added under the plan limit."""
        if self.capacity_left is not None:
            self.capacity_left -= 1
            self.may_add = self.capacity_left > 0

    @property
    def campaign_step(self) -> bool:
        return self.campaign is not None and self.mode != Mode.UPDATE_ONLY

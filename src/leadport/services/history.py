"""Import history (PRODUCT.md §4): a workspace's or a campaign's imports, newest first.

Rolled-back imports are left out unless asked for; a restored import is `completed` again, so
it shows again. Dry runs are never listed: they brought nothing in (their report stays readable
by id). Counts come from the summary each import stored when it finished.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, func, select

from leadport.db.engine import read_transaction
from leadport.db.schema import campaigns, imports, members, users
from leadport.domain.model import ImportState
from leadport.services import permissions
from leadport.services.directory import Member, Workspace
from leadport.services.import_target import aware
from leadport.services.leads import CampaignRef, find_campaign

NO_COUNTS = {"added": 0, "modified": 0, "rejected": 0}


@dataclass(frozen=True)
class HistoryEntry:
    import_id: int
    file_name: str | None
    source: str
    state: str
    created_at: datetime | None
    member: str | None
    campaign: str | None
    account: dict[str, int]
    campaign_counts: dict[str, int] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "import_id": str(self.import_id),
            "file_name": self.file_name,
            "source": self.source,
            "state": self.state,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "member": self.member,
            "campaign": self.campaign,
            "account": dict(self.account),
            "campaign_counts": None if self.campaign_counts is None else dict(self.campaign_counts),
        }


@dataclass(frozen=True)
class ImportHistory:
    entries: list[HistoryEntry] = field(default_factory=list)
    hidden_rolled_back: int = 0  # rolled-back imports left out (0 with include_rolled_back)

    def to_json(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self.entries]


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def list_imports(
    engine: Engine,
    workspace: Workspace,
    member: Member,
    *,
    campaign: CampaignRef | None = None,
    include_rolled_back: bool = False,
    limit: int | None = None,
) -> ImportHistory:
    """The history; `campaign` (a name or an id) keeps the imports into that campaign."""
    permissions.require_lead_work(member, workspace, "see the import history")
    with read_transaction(engine) as conn:
        scope: list[ColumnElement[bool]] = [
            imports.c.workspace_id == workspace.id,
            imports.c.dry_run.is_(False),
        ]
        if campaign is not None:
            scope.append(imports.c.campaign_id == find_campaign(conn, workspace, campaign).id)
        stmt = _history_select().where(*scope)
        hidden = 0
        if not include_rolled_back:
            stmt = stmt.where(imports.c.state != ImportState.ROLLED_BACK)
            hidden = _count_rolled_back(conn, scope)
        stmt = stmt.order_by(imports.c.created_at.desc(), imports.c.id.desc()).limit(limit)
        return ImportHistory([_entry(row._mapping) for row in conn.execute(stmt)], hidden)


def _history_select() -> Select[Any]:
    return (
        select(
            imports.c.id,
            imports.c.file_name,
            imports.c.source,
            imports.c.state,
            imports.c.created_at,
            imports.c.options,
            imports.c.summary,
            users.c.email.label("member_email"),
            campaigns.c.name.label("campaign_name"),
        )
        .outerjoin(members, members.c.id == imports.c.member_id)
        .outerjoin(users, users.c.id == members.c.user_id)
        .outerjoin(campaigns, campaigns.c.id == imports.c.campaign_id)
    )


def _count_rolled_back(conn: Connection, scope: list[ColumnElement[bool]]) -> int:
    stmt = (
        select(func.count())
        .select_from(imports)
        .where(*scope, imports.c.state == ImportState.ROLLED_BACK)
    )
    return int(conn.execute(stmt).scalar_one())


def _entry(m: Any) -> HistoryEntry:
    summary = _loads(m["summary"]) or {}
    # A campaign deleted since leaves its name in the import's options.
    name = m["campaign_name"] or (_loads(m["options"]) or {}).get("campaign")
    return HistoryEntry(
        import_id=m["id"],
        file_name=m["file_name"],
        source=m["source"],
        state=m["state"],
        created_at=aware(m["created_at"]),
        member=m["member_email"],
        campaign=name,
        account=summary.get("account") or dict(NO_COUNTS),
        campaign_counts=summary.get("campaign"),
    )

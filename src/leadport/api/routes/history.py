"""The import history: the same list as `leadport imports list --json`, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from leadport.api.deps import MAX_ID, MemberDep, ServerDep, WorkspaceDep
from leadport.api.errors import error_responses
from leadport.api.schemas import ImportHistoryItem
from leadport.services import history

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.get("", response_model=list[ImportHistoryItem], responses=error_responses(404))
def list_imports(
    member: MemberDep,
    workspace: WorkspaceDep,
    srv: ServerDep,
    campaign: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only the imports into this campaign (its id)."),
    ] = None,
    all_: Annotated[bool, Query(alias="all", description="Also list rolled-back imports.")] = False,
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description="Only the newest N (default: all).")
    ] = None,
) -> Any:
    """The workspace's imports, newest first, whatever their state; rolled-back ones only with
    `all=true` (a restored import is `completed` and listed again). Dry runs are never listed.

    Counts are those each import stored when it finished. An unknown campaign is a 404.
    """
    return history.list_imports(
        srv.app.engine,
        workspace,
        member,
        campaign=campaign,
        include_rolled_back=all_,
        limit=limit,
    ).to_json()

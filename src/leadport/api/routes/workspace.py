"""The caller's workspace, its members, campaigns and do-not-contact list; and a health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select, text

from leadport.api.deps import CampaignId, MemberDep, ServerDep
from leadport.api.errors import error_responses
from leadport.api.schemas import (
    CampaignCreate,
    CampaignPublic,
    DncCreate,
    DncPublic,
    Health,
    MemberCreate,
    MemberPublic,
    WorkspacePublic,
)
from leadport.db.engine import read_transaction, write_transaction
from leadport.db.schema import campaigns, members, users
from leadport.services import directory, dnc, permissions

router = APIRouter(prefix="/api/v1", tags=["workspace"])
health_router = APIRouter(tags=["health"])


def _member(m: directory.Member) -> dict[str, Any]:
    return {"id": str(m.id), "email": m.email, "role": m.role}


def _campaign(c: directory.Campaign) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "name": c.name,
        "state": c.state,
        "required_fields": list(c.required_fields),
        "reject_invalid_leads": c.reject_invalid_leads,
    }


@router.get("/workspace", response_model=WorkspacePublic, responses=error_responses())
def get_workspace(member: MemberDep, srv: ServerDep) -> Any:
    """The workspace the API key belongs to, and who the key speaks for."""
    with read_transaction(srv.app.engine) as conn:
        ws = directory.workspace_by_id(conn, member.workspace_id)
    return {
        "id": str(ws.id),
        "name": ws.name,
        "plan": ws.plan,
        "lead_limit": ws.lead_limit,
        "region": ws.region,
        "default_policy": ws.default_policy,
        "members_can_rollback": ws.members_can_rollback,
        "me": _member(member),
    }


@router.get(
    "/members", response_model=list[MemberPublic], tags=["members"], responses=error_responses()
)
def list_members(member: MemberDep, srv: ServerDep) -> Any:
    """The workspace's members and their roles."""
    with read_transaction(srv.app.engine) as conn:
        rows = conn.execute(
            select(members.c.id, users.c.email, members.c.role)
            .join(users, users.c.id == members.c.user_id)
            .where(members.c.workspace_id == member.workspace_id)
            .order_by(members.c.id)
        ).all()
    return [{"id": str(r[0]), "email": r[1], "role": r[2]} for r in rows]


@router.post(
    "/members",
    status_code=201,
    response_model=MemberPublic,
    tags=["members"],
    responses=error_responses(403, 409),
)
def add_member(body: MemberCreate, member: MemberDep, srv: ServerDep) -> Any:
    """Add a member by login email (admins only)."""
    permissions.require_admin(member, "manage members")
    with write_transaction(srv.app.engine) as conn:
        return _member(directory.add_member(conn, member.workspace_id, body.email, body.role))


@router.get(
    "/campaigns",
    response_model=list[CampaignPublic],
    tags=["campaigns"],
    responses=error_responses(),
)
def list_campaigns(member: MemberDep, srv: ServerDep) -> Any:
    """The workspace's campaigns."""
    with read_transaction(srv.app.engine) as conn:
        names = (
            conn.execute(
                select(campaigns.c.name)
                .where(campaigns.c.workspace_id == member.workspace_id)
                .order_by(campaigns.c.id)
            )
            .scalars()
            .all()
        )
        return [_campaign(directory.find_campaign(conn, member.workspace_id, n)) for n in names]


@router.post(
    "/campaigns",
    status_code=201,
    response_model=CampaignPublic,
    tags=["campaigns"],
    responses=error_responses(409),
)
def create_campaign(body: CampaignCreate, member: MemberDep, srv: ServerDep) -> Any:
    """Create a campaign; `required_fields` are fields its messages use (a lead lacking one is not added)."""
    with write_transaction(srv.app.engine) as conn:
        return _campaign(
            directory.create_campaign(
                conn,
                member.workspace_id,
                body.name,
                required_fields=body.required_fields,
                reject_invalid_leads=body.reject_invalid_leads,
            )
        )


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignPublic,
    tags=["campaigns"],
    responses=error_responses(404),
)
def get_campaign(campaign_id: CampaignId, member: MemberDep, srv: ServerDep) -> Any:
    """One campaign of the workspace."""
    with read_transaction(srv.app.engine) as conn:
        return _campaign(directory.campaign_by_id(conn, member.workspace_id, campaign_id))


@router.post(
    "/dnc",
    status_code=201,
    response_model=DncPublic,
    tags=["do-not-contact"],
    responses=error_responses(),
)
def add_dnc(body: DncCreate, member: MemberDep, srv: ServerDep) -> Any:
    """Never add this email, or any email of this domain, to a campaign."""
    with write_transaction(srv.app.engine) as conn:
        entry = dnc.add_entry(conn, member.workspace_id, body.value)
    return {"value": entry.value, "kind": entry.kind}


@health_router.get("/healthz", response_model=Health)
def health(srv: ServerDep) -> Any:
    """Liveness for load balancers: the database answers. Needs no key."""
    with read_transaction(srv.app.engine) as conn:
        conn.execute(text("SELECT 1"))
    return {
        "status": "ok",
        "database": srv.app.engine.dialect.name,
        "queue": type(srv.queue).__name__,
    }

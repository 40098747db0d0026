"""Leads: a page of them, one lead, its status in a campaign, deleting it, and cleaning the
permanently-deleted list.

The same services as `leadport lead …` and `leadport deleted clean`, so a lead reads the same JSON
and a refusal the same sentence through both doors. Leads and campaigns are looked up in the key's
workspace only: another workspace's are not found (404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from leadport.api.deps import MAX_ID, CampaignId, LeadId, MemberDep, ServerDep, WorkspaceDep
from leadport.api.errors import error_responses
from leadport.api.schemas import (
    DeletedListCleaned,
    LeadDeletionPublic,
    LeadPage,
    LeadPublic,
    LeadStatusUpdate,
    StatusChangePublic,
)
from leadport.services import deleted_list, lead_deletion, lead_list, leads
from leadport.services.lead_list import DEFAULT_PAGE, MAX_PAGE

router = APIRouter(prefix="/api/v1", tags=["leads"])


@router.get("/leads", response_model=LeadPage, responses=error_responses(404))
def list_leads(
    member: MemberDep,
    workspace: WorkspaceDep,
    srv: ServerDep,
    campaign: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only the leads of this campaign (its id)."),
    ] = None,
    email: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=320,
            description="Only the lead with this email (normalized as an import does: "
            "case and spaces do not count).",
        ),
    ] = None,
    after: Annotated[
        int,
        Query(
            ge=0, le=MAX_ID, description="Start after this lead id: the `next` of the page before."
        ),
    ] = 0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description="Leads per page, at most 1,000.")
    ] = DEFAULT_PAGE,
) -> Any:
    """The workspace's leads by id, a page at a time, each as `GET /api/v1/leads/{id}` gives it.

    Follow `next` (pass it as `after`) until it is null: every lead present throughout is seen
    exactly once, even while imports add leads. An unknown campaign is a 404.
    """
    return lead_list.list_leads(
        srv.app.engine,
        workspace,
        member,
        campaign=campaign,
        email=email,
        after=after,
        limit=limit,
    ).to_json()


@router.get("/leads/{lead_id}", response_model=LeadPublic, responses=error_responses(404))
def get_lead(lead_id: LeadId, member: MemberDep, workspace: WorkspaceDep, srv: ServerDep) -> Any:
    """A lead with its fields, custom fields, tags, and its status in each campaign (the JSON of
    `leadport lead show --json`)."""
    return leads.show_lead(srv.app.engine, workspace, member, lead_id).to_json()


@router.patch(
    "/campaigns/{campaign_id}/leads/{lead_id}",
    response_model=StatusChangePublic,
    tags=["campaigns"],
    responses=error_responses(404),
)
def set_lead_status(
    campaign_id: CampaignId,
    lead_id: LeadId,
    body: LeadStatusUpdate,
    member: MemberDep,
    workspace: WorkspaceDep,
    srv: ServerDep,
) -> Any:
    """Set the lead's status in the campaign, as the sending system reports it.

    Any status may follow any other; setting the status it has already changes nothing
    (`old_status` equals `status`). 404 for a lead that is not in that campaign.
    """
    return leads.set_lead_status(
        srv.app.engine, workspace, member, lead_id, campaign=campaign_id, status=body.status
    ).to_json()


@router.delete(
    "/leads/{lead_id}", response_model=LeadDeletionPublic, responses=error_responses(404, 409)
)
def delete_lead(
    lead_id: LeadId,
    member: MemberDep,
    workspace: WorkspaceDep,
    srv: ServerDep,
    permanent: Annotated[
        bool,
        Query(
            description="Also put its email on the permanently-deleted list: every later import "
            "rejects it as `permanently_deleted` until an admin cleans the list."
        ),
    ] = False,
) -> Any:
    """Delete the lead with its campaign memberships and their activity (there is no undo).

    Without `permanent` the next import may bring it back as a new lead (syncs do not: it goes
    into the removal memory of its campaigns). A lead without email cannot be deleted
    permanently (409): the list keeps emails only.
    """
    return lead_deletion.delete_lead(
        srv.app.engine, srv.app.settings, workspace, member, lead_id, permanent=permanent
    ).to_json()


@router.post(
    "/deleted/clean",
    response_model=DeletedListCleaned,
    tags=["deleted list"],
    responses=error_responses(403),
)
def clean_deleted_list(member: MemberDep, workspace: WorkspaceDep, srv: ServerDep) -> Any:
    """Empty the workspace's permanently-deleted list, so imports take those emails again
    (admins only). The list keeps keyed hashes, not addresses, so it cannot be listed."""
    return deleted_list.clean_deleted_list(srv.app.engine, workspace, member).to_json()

"""What routes depend on: the wired parts of the server, and the member an API key speaks for.

Every /api/v1 route resolves `Authorization: Bearer KEY` to a member; everything it touches is
then looked up inside that member's workspace, so another workspace's ids are simply not found
(404), never forbidden. Roles are checked by the services (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from leadport.api.errors import NotAuthenticatedError
from leadport.bootstrap import App
from leadport.db.engine import read_transaction
from leadport.services import apikeys, directory
from leadport.services.directory import Member, Workspace
from leadport.services.jobs import JobQueue

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="A member's API key, from `leadport apikey create` or POST /api/v1/apikeys.",
)


@dataclass(frozen=True)
class Server:
    app: App
    queue: JobQueue


def server(request: Request) -> Server:
    srv: Server = request.app.state.server
    return srv


def current_member(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Member:
    if creds is None:
        raise NotAuthenticatedError(
            "This route needs an API key: send the header `Authorization: Bearer KEY`."
        )
    srv = server(request)
    with read_transaction(srv.app.engine) as conn:
        owner = apikeys.owner_of(conn, srv.app.settings.secret_key, creds.credentials)
    if owner is None:
        raise NotAuthenticatedError("This API key is unknown or was revoked.")
    apikeys.record_use(srv.app.engine, owner)
    return owner.member


def current_workspace(
    member: Annotated[Member, Depends(current_member)], srv: Annotated[Server, Depends(server)]
) -> Workspace:
    """The workspace of the key's member, for services that take both."""
    with read_transaction(srv.app.engine) as conn:
        return directory.workspace_by_id(conn, member.workspace_id)


ServerDep = Annotated[Server, Depends(server)]
MemberDep = Annotated[Member, Depends(current_member)]
WorkspaceDep = Annotated[Workspace, Depends(current_workspace)]


# Ids are 32-bit integers in the database: a larger number cannot name anything.
MAX_ID = 2**31 - 1
ImportId = Annotated[int, Path(ge=1, le=MAX_ID, description="An import's id.")]
CampaignId = Annotated[int, Path(ge=1, le=MAX_ID, description="A campaign's id.")]
LeadId = Annotated[int, Path(ge=1, le=MAX_ID, description="A lead's id.")]
KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="An API key's id.")]

"""API keys: admins create them for any member; everyone lists and revokes their own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from leadport.api.deps import KeyId, MemberDep, ServerDep
from leadport.api.errors import error_responses
from leadport.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from leadport.db.engine import read_transaction, write_transaction
from leadport.services import apikeys
from leadport.services.permissions import require_admin

router = APIRouter(prefix="/api/v1/apikeys", tags=["api keys"])


def _public(key: apikeys.ApiKey) -> dict[str, Any]:
    return {
        "id": str(key.id),
        "name": key.name,
        "prefix": key.prefix,
        "member": key.member_email,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


@router.get("", response_model=list[ApiKeyPublic], responses=error_responses())
def list_keys(member: MemberDep, srv: ServerDep) -> Any:
    """The workspace's keys for an admin, a member's own keys otherwise (never the keys themselves)."""
    with read_transaction(srv.app.engine) as conn:
        return [_public(k) for k in apikeys.list_keys(conn, member)]


@router.post("", status_code=201, response_model=ApiKeyCreated, responses=error_responses(403, 404))
def create_key(body: ApiKeyCreate, member: MemberDep, srv: ServerDep) -> Any:
    """Create a key (admins only) for yourself or another member; the key is in this answer only."""
    require_admin(member, "create API keys")
    with write_transaction(srv.app.engine) as conn:
        owner = apikeys.member_for_key_owner(
            conn, member.workspace_id, body.member_email or member.email
        )
        new = apikeys.create_key(conn, srv.app.settings.secret_key, owner, name=body.name)
    return {**_public(new.key), "key": new.secret}


@router.delete("/{key_id}", response_model=ApiKeyPublic, responses=error_responses(403, 404, 409))
def revoke_key(key_id: KeyId, member: MemberDep, srv: ServerDep) -> Any:
    """Revoke a key at once: admins any key of the workspace, members their own."""
    with write_transaction(srv.app.engine) as conn:
        return _public(apikeys.revoke_key(conn, member, key_id))

"""The permanently-deleted list holds keyed hashes, never addresses (HMAC-SHA256).

A permanent deletion adds the lead's email; an admin's "Clean list" empties the workspace's list,
after which imports take those emails again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from leadport.db.engine import lock_workspace, write_transaction
from leadport.db.schema import deleted_emails
from leadport.services import permissions
from leadport.services.audit import write_audit
from leadport.services.directory import Member, Workspace


@lru_cache(maxsize=8)
def _keyed(secret_key: str) -> hmac.HMAC:
    return hmac.new(secret_key.encode(), digestmod=hashlib.sha256)


def email_hash(secret_key: str, email: str) -> str:
    """HMAC-SHA256 of the normalized email; the keyed state is built once and copied per call."""
    h = _keyed(secret_key).copy()
    h.update(email.encode())
    return h.hexdigest()


def add_email(
    conn: Connection, secret_key: str, workspace_id: int, email: str, now: datetime
) -> bool:
    """Put a normalized email on the list; False when it was there already."""
    digest = email_hash(secret_key, email)
    listed = conn.execute(
        select(deleted_emails.c.email_hash).where(
            deleted_emails.c.workspace_id == workspace_id, deleted_emails.c.email_hash == digest
        )
    ).first()
    if listed is not None:
        return False
    conn.execute(
        insert(deleted_emails).values(workspace_id=workspace_id, email_hash=digest, created_at=now)
    )
    return True


@dataclass(frozen=True)
class ListCleaned:
    removed: int

    def to_json(self) -> dict[str, Any]:
        return {"removed": self.removed}


def clean_deleted_list(engine: Engine, workspace: Workspace, member: Member) -> ListCleaned:
    """Empty the workspace's permanently-deleted list (admins only); waits for a running import,
    so no import sees half a list."""
    permissions.require_admin(member, "clean the permanently-deleted list")
    with write_transaction(engine) as conn:
        lock_workspace(conn, workspace.id)
        removed = conn.execute(
            delete(deleted_emails).where(deleted_emails.c.workspace_id == workspace.id)
        ).rowcount
        write_audit(conn, member, "deleted_list_cleaned", workspace.name, {"removed": removed})
    return ListCleaned(removed)

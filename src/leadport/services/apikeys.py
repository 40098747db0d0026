"""Per-member API keys: shown once, stored as a keyed hash, revocable, last use recorded.

A key reads `lp_<prefix>_<secret>`. The prefix is random and stored in clear, so one indexed
look-up finds the row; the whole key is then checked against HMAC-SHA256(LEADPORT_SECRET_KEY, key).
Why not argon2: a key carries 256 random bits, so a deliberately slow hash adds nothing against
guessing while costing tens of milliseconds on every request; the keyed hash still makes a
copy of the database useless for checking keys offline. Changing the secret key voids every key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import OperationalError

from leadport.db.bulk import utcnow
from leadport.db.engine import is_sqlite
from leadport.db.schema import api_keys, members, users
from leadport.domain.names import check_name
from leadport.errors import ConflictError, NotFoundError, PermissionDeniedError, UsageError
from leadport.services.directory import Member, find_member
from leadport.services.permissions import require_admin

KEY_PATTERN = re.compile(r"^lp_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# Recording every single use would turn each read into a write; once a minute says enough.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    member_id: int
    member_email: str
    name: str | None
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just created: `secret` is the whole key, shown this once and never stored."""

    key: ApiKey
    secret: str


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """Who a presented key speaks for, and when its use was last recorded."""

    key_id: int
    member: Member
    last_used_at: datetime | None


def _digest(secret_key: str, key: str) -> str:
    return hmac.new(secret_key.encode(), key.encode(), hashlib.sha256).hexdigest()


def _select_keys() -> Any:
    return (
        select(
            api_keys.c.id,
            api_keys.c.member_id,
            users.c.email,
            api_keys.c.name,
            api_keys.c.prefix,
            api_keys.c.created_at,
            api_keys.c.last_used_at,
            api_keys.c.revoked_at,
        )
        .join(members, members.c.id == api_keys.c.member_id)
        .join(users, users.c.id == members.c.user_id)
    )


def _key(row: Any) -> ApiKey:
    return ApiKey(*row)


def create_key(
    conn: Connection, secret_key: str, owner: Member, *, name: str | None = None
) -> NewKey:
    """A new key for `owner`; the caller shows `secret` once."""
    if name is not None:
        name = check_name(name, "A key name")
    if name is not None and len(name) > 200:
        raise UsageError("A key name has at most 200 characters.")
    prefix = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    secret = f"lp_{prefix}_{secrets.token_urlsafe(32)}"
    pk = conn.execute(
        insert(api_keys).values(
            member_id=owner.id,
            name=name,
            prefix=prefix,
            key_hash=_digest(secret_key, secret),
            created_at=utcnow(),
        )
    ).inserted_primary_key
    assert pk is not None
    return NewKey(get_key(conn, owner.workspace_id, int(pk[0])), secret)


def get_key(conn: Connection, workspace_id: int, key_id: int) -> ApiKey:
    row = conn.execute(
        _select_keys().where(api_keys.c.id == key_id, members.c.workspace_id == workspace_id)
    ).first()
    if row is None:
        raise NotFoundError(f"No API key {key_id} in this workspace.")
    return _key(row)


def list_keys(conn: Connection, actor: Member) -> list[ApiKey]:
    """An admin sees the workspace's keys; a member sees their own."""
    stmt = _select_keys().where(members.c.workspace_id == actor.workspace_id)
    if not actor.is_admin:
        stmt = stmt.where(api_keys.c.member_id == actor.id)
    return [_key(r) for r in conn.execute(stmt.order_by(api_keys.c.id))]


def find_key_id(conn: Connection, workspace_id: int, id_or_prefix: str) -> int:
    """A key named by its id or by its prefix (as `leadport apikey create` prints them)."""
    stmt = (
        select(api_keys.c.id)
        .join(members, members.c.id == api_keys.c.member_id)
        .where(members.c.workspace_id == workspace_id)
    )
    value = id_or_prefix.strip()
    match = KEY_PATTERN.match(value)
    prefix = match.group(1) if match else value.removeprefix("lp_")
    found = conn.execute(stmt.where(api_keys.c.prefix == prefix)).scalar()
    if found is None and value.isdigit():
        found = conn.execute(stmt.where(api_keys.c.id == int(value))).scalar()
    if found is None:
        raise NotFoundError(f"No API key {value!r} in this workspace.")
    return int(found)


def revoke_key(conn: Connection, actor: Member, key_id: int) -> ApiKey:
    """Admins revoke any key of their workspace; a member revokes their own."""
    key = get_key(conn, actor.workspace_id, key_id)
    if key.member_id != actor.id:
        require_admin(actor, "revoke another member's API key")
    if key.revoked_at is not None:
        raise ConflictError(f"API key {key_id} was already revoked.")
    conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=utcnow()))
    return get_key(conn, actor.workspace_id, key_id)


def owner_of(conn: Connection, secret_key: str, presented: str) -> KeyOwner | None:
    """The member a presented key speaks for, or None (unknown, malformed or revoked key)."""
    match = KEY_PATTERN.match(presented.strip())
    if match is None:
        return None
    row = conn.execute(
        select(
            api_keys.c.id,
            api_keys.c.key_hash,
            api_keys.c.last_used_at,
            members.c.id,
            members.c.workspace_id,
            users.c.email,
            members.c.role,
        )
        .join(members, members.c.id == api_keys.c.member_id)
        .join(users, users.c.id == members.c.user_id)
        .where(api_keys.c.prefix == match.group(1), api_keys.c.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row[1], _digest(secret_key, presented.strip())):
        return None
    return KeyOwner(row[0], Member(row[3], row[4], row[5], row[6]), row[2])


def record_use(engine: Engine, owner: KeyOwner) -> None:
    """Note the key's last use, at most once a minute, never making a request wait for it.

    On SQLite a running import holds the only write lock for its whole transaction: the note
    is skipped then (the next request records it) rather than holding the request up.
    """
    now = utcnow()
    last = owner.last_used_at
    if (
        last is not None
        and (last if last.tzinfo else last.replace(tzinfo=now.tzinfo)) > now - TOUCH_EVERY
    ):
        return
    stmt = update(api_keys).where(api_keys.c.id == owner.key_id).values(last_used_at=now)
    with engine.connect() as conn:
        if is_sqlite(conn):
            _sqlite_try_write(conn, stmt)
            return
        with conn.begin():
            conn.execute(stmt)


def _sqlite_try_write(conn: Connection, stmt: Any) -> None:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    busy = dbapi.execute("PRAGMA busy_timeout").fetchone()[0]
    dbapi.execute("PRAGMA busy_timeout=20")
    try:
        with conn.begin():
            conn.execute(stmt)
    except OperationalError:
        pass  # the write lock is busy: leave it for a later request
    finally:
        dbapi.execute(f"PRAGMA busy_timeout={int(busy)}")


def member_for_key_owner(conn: Connection, workspace_id: int, email: str | None) -> Member:
    """The member a new key is for: the named one, which must belong to this workspace."""
    try:
        return find_member(conn, workspace_id, email)
    except PermissionDeniedError as exc:
        raise NotFoundError(f"{email} is not a member of this workspace.") from exc

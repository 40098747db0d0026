"""Workspaces, members and campaigns: finding them by name and creating them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from leadport.db.bulk import utcnow
from leadport.db.schema import campaigns, members, users, workspaces
from leadport.domain.model import LEAD_FIELDS, TRIAL_LEAD_LIMIT, Plan, Policy, Role
from leadport.domain.names import check_name
from leadport.errors import ConflictError, NotFoundError, PermissionDeniedError, UsageError

DEFAULT_WORKSPACE = "default"
LOCAL_ADMIN = "admin@localhost"


@dataclass(frozen=True, slots=True)
class Workspace:
    id: int
    name: str
    plan: str
    lead_limit: int | None
    region: str | None
    default_policy: str
    members_can_rollback: bool

    @property
    def effective_limit(self) -> int | None:
        if self.lead_limit is not None:
            return self.lead_limit
        return TRIAL_LEAD_LIMIT if self.plan == Plan.TRIAL else None


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    workspace_id: int
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    workspace_id: int
    name: str
    state: str
    required_fields: tuple[str, ...]
    reject_invalid_leads: bool


def _workspace(row: Any) -> Workspace:
    m = row._mapping
    return Workspace(
        m["id"],
        m["name"],
        m["plan"],
        m["lead_limit"],
        m["region"],
        m["default_policy"],
        bool(m["members_can_rollback"]),
    )


def find_workspace(conn: Connection, name: str | None) -> Workspace:
    """The named workspace, or the only one when no name is given."""
    if name is not None:
        row = conn.execute(select(workspaces).where(workspaces.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"No workspace named {name!r}.")
        return _workspace(row)
    rows = conn.execute(select(workspaces).limit(2)).all()
    if len(rows) != 1:
        raise UsageError("This database holds several workspaces: name one with --workspace.")
    return _workspace(rows[0])


def workspace_by_id(conn: Connection, workspace_id: int) -> Workspace:
    row = conn.execute(select(workspaces).where(workspaces.c.id == workspace_id)).first()
    if row is None:
        raise NotFoundError(f"No workspace with id {workspace_id}.")
    return _workspace(row)


def create_workspace(
    conn: Connection,
    name: str,
    *,
    plan: Plan = Plan.PAID,
    lead_limit: int | None = None,
    region: str | None = None,
    admin_email: str = LOCAL_ADMIN,
) -> Workspace:
    name = check_name(name, "A workspace name")
    if not name:
        raise UsageError("A workspace needs a name.")
    if conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).first():
        raise ConflictError(f"A workspace named {name!r} already exists.")
    if lead_limit is not None and lead_limit < 0:
        raise UsageError("--lead-limit must be zero or more.")
    if region is not None and not (len(region) == 2 and region.isalpha()):
        raise UsageError(f"--region must be a two-letter country code such as FR, not {region!r}.")
    ws_id = conn.scalar(
        insert(workspaces)
        .returning(workspaces.c.id)
        .values(
            name=name,
            plan=plan,
            lead_limit=lead_limit,
            region=region.upper() if region else None,
            default_policy=Policy.ACTIVE,
            members_can_rollback=False,
            created_at=utcnow(),
        )
    )
    assert ws_id is not None
    add_member(conn, ws_id, admin_email, Role.ADMIN)
    return workspace_by_id(conn, ws_id)


def ensure_default_workspace(conn: Connection) -> None:
    """A new database starts with the workspace `default` (paid, no limit) and a local admin."""
    if conn.execute(select(func.count()).select_from(workspaces)).scalar_one() == 0:
        create_workspace(conn, DEFAULT_WORKSPACE)


def _user_id(conn: Connection, email: str) -> int:
    email = email.strip().lower()
    found = conn.execute(select(users.c.id).where(users.c.email == email)).scalar()
    if found is not None:
        return int(found)
    new_id = conn.scalar(
        insert(users).returning(users.c.id).values(email=email, created_at=utcnow())
    )
    assert new_id is not None
    return int(new_id)


def add_member(conn: Connection, workspace_id: int, email: str, role: Role) -> Member:
    email = check_name(email, "An email address")
    if "@" not in email:
        raise UsageError(f"{email!r} is not an email address.")
    user_id = _user_id(conn, email)
    exists = conn.execute(
        select(members.c.id).where(
            members.c.workspace_id == workspace_id, members.c.user_id == user_id
        )
    ).first()
    if exists:
        raise ConflictError(f"{email} is already a member of this workspace.")
    conn.execute(
        insert(members).values(
            workspace_id=workspace_id, user_id=user_id, role=role, created_at=utcnow()
        )
    )
    return find_member(conn, workspace_id, email)


def find_member(conn: Connection, workspace_id: int, email: str | None) -> Member:
    """The member acting; with no email, the workspace's first admin (the local admin)."""
    stmt = (
        select(members.c.id, members.c.workspace_id, users.c.email, members.c.role)
        .join(users, users.c.id == members.c.user_id)
        .where(members.c.workspace_id == workspace_id)
    )
    if email is None:
        stmt = stmt.where(members.c.role == Role.ADMIN).order_by(members.c.id).limit(1)
    else:
        stmt = stmt.where(users.c.email == email.strip().lower())
    row = conn.execute(stmt).first()
    if row is None:
        raise PermissionDeniedError(
            f"{email or 'The local admin'} is not a member of this workspace."
        )
    return Member(row[0], row[1], row[2], row[3])


def create_campaign(
    conn: Connection,
    workspace_id: int,
    name: str,
    *,
    required_fields: list[str] | None = None,
    reject_invalid_leads: bool = False,
) -> Campaign:
    name = check_name(name, "A campaign name")
    if not name:
        raise UsageError("A campaign needs a name.")
    for field in required_fields or []:
        if field not in LEAD_FIELDS and not field.startswith("custom:"):
            raise UsageError(
                f"--require {field!r} is not a lead field; use one of {', '.join(LEAD_FIELDS)} or custom:NAME."
            )
    exists = conn.execute(
        select(campaigns.c.id).where(
            campaigns.c.workspace_id == workspace_id, campaigns.c.name == name
        )
    ).first()
    if exists:
        raise ConflictError(f"A campaign named {name!r} already exists in this workspace.")
    conn.execute(
        insert(campaigns).values(
            workspace_id=workspace_id,
            name=name,
            state="draft",
            required_fields=list(required_fields or []),
            reject_invalid_leads=reject_invalid_leads,
            created_at=utcnow(),
        )
    )
    return find_campaign(conn, workspace_id, name)


def _campaign(row: Any) -> Campaign:
    m = row._mapping
    return Campaign(
        m["id"],
        m["workspace_id"],
        m["name"],
        m["state"],
        tuple(m["required_fields"] or ()),
        bool(m["reject_invalid_leads"]),
    )


def find_campaign(conn: Connection, workspace_id: int, name: str) -> Campaign:
    row = conn.execute(
        select(campaigns).where(campaigns.c.workspace_id == workspace_id, campaigns.c.name == name)
    ).first()
    if row is None:
        raise NotFoundError(f"No campaign named {name!r} in this workspace.")
    return _campaign(row)


def campaign_by_id(conn: Connection, workspace_id: int, campaign_id: int) -> Campaign:
    row = conn.execute(
        select(campaigns).where(
            campaigns.c.workspace_id == workspace_id, campaigns.c.id == campaign_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"No campaign with id {campaign_id} in this workspace.")
    return _campaign(row)

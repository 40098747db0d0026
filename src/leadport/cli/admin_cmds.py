"""Workspaces, members, campaigns and the do-not-contact list."""

from __future__ import annotations

import typer

from leadport.cli.common import AsOpt, WorkspaceOpt, app_, resolve, say
from leadport.db.engine import write_transaction
from leadport.domain.model import Plan, Role
from leadport.services import directory, dnc, permissions

workspace_app = typer.Typer(help="Create workspaces.", no_args_is_help=True)
member_app = typer.Typer(help="Manage a workspace's members.", no_args_is_help=True)
campaign_app = typer.Typer(help="Create campaigns.", no_args_is_help=True)
dnc_app = typer.Typer(help="The do-not-contact list.", no_args_is_help=True)


@workspace_app.command("create")
def workspace_create(
    name: str = typer.Argument(..., help="Workspace name."),
    plan: Plan = typer.Option(Plan.PAID, "--plan", help="trial (at most 100 leads) or paid."),
    lead_limit: int | None = typer.Option(
        None, "--lead-limit", help="Most leads the workspace may hold."
    ),
    region: str | None = typer.Option(None, "--region", help="Default phone region, e.g. FR."),
) -> None:
    """Create a workspace; the local admin becomes its admin."""
    with write_transaction(app_().engine) as conn:
        ws = directory.create_workspace(conn, name, plan=plan, lead_limit=lead_limit, region=region)
    say(f"Workspace {ws.name} created (plan {ws.plan}).")


@member_app.command("add")
def member_add(
    email: str = typer.Argument(..., help="The member's login email."),
    workspace: str | None = WorkspaceOpt,
    role: Role = typer.Option(Role.MEMBER, "--role", help="admin or member."),
    as_: str | None = AsOpt,
) -> None:
    """Add a member to a workspace (admins only)."""
    ws, acting = resolve(workspace, as_)
    permissions.require_admin(acting, "manage members")
    with write_transaction(app_().engine) as conn:
        member = directory.add_member(conn, ws.id, email, role)
    say(f"{member.email} added to {ws.name} as {member.role}.")


@campaign_app.command("create")
def campaign_create(
    name: str = typer.Argument(..., help="Campaign name."),
    workspace: str | None = WorkspaceOpt,
    require: list[str] = typer.Option([], "--require", help="A field the campaign's messages use."),
    reject_invalid_leads: bool = typer.Option(
        False, "--reject-invalid-leads", help="Refuse leads with no valid email."
    ),
) -> None:
    """Create a campaign."""
    ws, _ = resolve(workspace)
    with write_transaction(app_().engine) as conn:
        campaign = directory.create_campaign(
            conn, ws.id, name, required_fields=require, reject_invalid_leads=reject_invalid_leads
        )
    say(f"Campaign {campaign.name} created.")


@dnc_app.command("add")
def dnc_add(
    value: str = typer.Argument(
        ..., metavar="EMAIL_OR_DOMAIN", help="An email, or a whole domain."
    ),
    workspace: str | None = WorkspaceOpt,
) -> None:
    """Never add this email, or any email of this domain, to a campaign."""
    ws, _ = resolve(workspace)
    with write_transaction(app_().engine) as conn:
        entry = dnc.add_entry(conn, ws.id, value)
    say(f"{entry.value} ({entry.kind}) is on the do-not-contact list.")


def register(app: typer.Typer) -> None:
    app.add_typer(workspace_app, name="workspace")
    app.add_typer(member_app, name="member")
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(dnc_app, name="dnc")

"""Lead commands (show, status, delete) and the permanently-deleted list."""

from __future__ import annotations

import typer

from leadport.cli.common import AsOpt, JsonOpt, WorkspaceOpt, app_, print_json, resolve
from leadport.cli.rollback_cmds import plural
from leadport.domain.model import LEAD_FIELDS
from leadport.services.deleted_list import clean_deleted_list
from leadport.services.lead_deletion import LeadDeletion, delete_lead
from leadport.services.leads import STATUSES, LeadDetail, StatusChange, set_lead_status, show_lead

lead_app = typer.Typer(help="Show, update and delete leads.", no_args_is_help=True)
deleted_app = typer.Typer(help="The permanently-deleted list.", no_args_is_help=True)

EmailArg = typer.Argument(
    ..., metavar="EMAIL", help="The lead's email (or LinkedIn profile URL), as you would type it."
)
LABELS = {
    "linkedin_url": "LinkedIn URL",
    "first_name": "First name",
    "last_name": "Last name",
    "company_name": "Company",
    "company_domain": "Company domain",
    "job_title": "Job title",
    "phone": "Phone",
}


@lead_app.command("show")
def lead_show(
    email: str = EmailArg,
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """Show a lead: fields, custom fields, tags, and its status in each campaign."""
    ws, member = resolve(workspace, as_)
    detail = show_lead(app_().engine, ws, member, email)
    if json_:
        print_json(detail.to_json())
        return
    for line in show_lines(detail):
        typer.echo(line)


def show_lines(d: LeadDetail) -> list[str]:
    who = d.fields.get("email") or d.fields.get("linkedin_url")
    lines = [f"{who} (lead {d.id})"]
    width = max(len(label) for label in (*LABELS.values(), "Custom fields"))
    for name in LEAD_FIELDS:
        value = d.fields.get(name)
        if name in LABELS and value is not None:
            lines.append(f"  {LABELS[name]:<{width}}  {value}")
    for key, value in d.custom_fields.items():
        lines.append(f"  {key:<{width}}  {value}")
    lines.append(f"  {'Tags':<{width}}  {', '.join(d.tags) if d.tags else '-'}")
    if not d.campaigns:
        lines.append("In no campaign.")
    else:
        lines.append("Campaigns:")
        for c in d.campaigns:
            origin = f" (import {c.import_id})" if c.import_id is not None else ""
            lines.append(f"  {c.campaign}: {c.status}{origin}")
    return lines


@lead_app.command("status")
def lead_status(
    email: str = EmailArg,
    campaign: str = typer.Option(..., "--campaign", help="The campaign the lead is in."),
    set_: str = typer.Option(..., "--set", metavar="STATUS", help=f"One of {STATUSES}."),
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """Set a lead's status in a campaign (as the sending system reports it)."""
    ws, member = resolve(workspace, as_)
    change = set_lead_status(app_().engine, ws, member, email, campaign=campaign, status=set_)
    if json_:
        print_json(change.to_json())
        return
    typer.echo(status_line(change))


def status_line(c: StatusChange) -> str:
    if not c.changed:
        return f"{c.lead} is already {c.status} in campaign {c.campaign!r}."
    return f"{c.lead} is now {c.status} in campaign {c.campaign!r} (was {c.old_status})."


@lead_app.command("delete")
def lead_delete(
    email: str = EmailArg,
    workspace: str | None = WorkspaceOpt,
    permanent: bool = typer.Option(
        False, "--permanent", help="Also keep the email out of every later import."
    ),
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """Delete a lead with its campaign memberships and their activity."""
    ws, member = resolve(workspace, as_)
    result = delete_lead(app_().engine, app_().settings, ws, member, email, permanent=permanent)
    if json_:
        print_json(result.to_json())
        return
    for line in delete_lines(result):
        typer.echo(line)


def delete_lines(r: LeadDeletion) -> list[str]:
    who = r.email or r.linkedin_url
    where = f" ({', '.join(r.campaigns)})" if r.campaigns else ""
    lines = [
        f"Deleted {who} (lead {r.lead_id}) with {plural(len(r.campaigns), 'campaign membership')}"
        f"{where} and {plural(r.activities, 'activity event')}."
    ]
    if r.permanent:
        lines.append(
            "Its email is on the permanently-deleted list: no import brings it back until an "
            "admin runs `leadport deleted clean`."
        )
    return lines


@deleted_app.command("clean")
def deleted_clean(workspace: str | None = WorkspaceOpt, as_: str | None = AsOpt) -> None:
    """Empty the permanently-deleted list, so imports take those emails again (admins only)."""
    ws, member = resolve(workspace, as_)
    cleaned = clean_deleted_list(app_().engine, ws, member)
    if cleaned.removed:
        typer.echo(
            f"Removed {plural(cleaned.removed, 'email')} from the permanently-deleted list of "
            f"workspace {ws.name}; imports take them again."
        )
    else:
        typer.echo(f"The permanently-deleted list of workspace {ws.name} was already empty.")


def register(app: typer.Typer) -> None:
    app.add_typer(lead_app, name="lead")
    app.add_typer(deleted_app, name="deleted")

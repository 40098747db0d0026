"""Activity the sending system reports: one event, or a file of them."""

from __future__ import annotations

from pathlib import Path

import typer

from leadport.cli.common import AsOpt, JsonOpt, WorkspaceOpt, app_, print_json, resolve
from leadport.db.bulk import utcnow
from leadport.db.engine import write_transaction
from leadport.domain.activity import TIME_EXAMPLE, parse_activity_time
from leadport.domain.model import ActivityType
from leadport.errors import UsageError
from leadport.services import directory
from leadport.services.activity import ActivityEvent, ActivityResult, record_activities
from leadport.services.activity_file import import_activity_file

activity_app = typer.Typer(
    help="Record activity (sent, opened, replied…) on a campaign's leads.", no_args_is_help=True
)

CampaignOpt = typer.Option(..., "--campaign", help="The campaign the lead is in.")


@activity_app.command("add")
def activity_add(
    email: str = typer.Argument(..., help="The lead's email."),
    campaign: str = CampaignOpt,
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
    type_: ActivityType = typer.Option(..., "--type", help="What happened."),
    at: str | None = typer.Option(
        None,
        "--at",
        help=f"When, in ISO-8601 such as {TIME_EXAMPLE} (default: now; no offset: UTC).",
    ),
    json_: bool = JsonOpt,
) -> None:
    """Record one activity of a lead in a campaign (bounced and unsubscribed also mark it)."""
    moment = utcnow() if at is None else parse_activity_time(at)
    if moment is None:
        raise UsageError(f"--at {at!r} is not an ISO-8601 time such as {TIME_EXAMPLE}.")
    ws, _ = resolve(workspace, as_)
    event = ActivityEvent(type=type_.value, email=email, at=moment)
    with write_transaction(app_().engine) as conn:
        found = directory.find_campaign(conn, ws.id, campaign)
        result = record_activities(conn, ws, found, [event])
    if json_:
        print_json(result.to_json())
        return
    when = moment.isoformat(timespec="seconds")
    if result.duplicates:
        typer.echo(
            f"{email.strip()} already has {type_.value} at {when} in {found.name}; nothing to add."
        )
    else:
        typer.echo(f"Recorded {type_.value} for {email.strip()} in {found.name} at {when}.")
    for line in _effects(result):
        typer.echo(line)


@activity_app.command("import")
def activity_import(
    file: Path = typer.Argument(..., help="CSV, TSV or XLSX with the columns email, type, at."),
    campaign: str = CampaignOpt,
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """Record a file of activities in a campaign: every row, or (on any bad row) none."""
    ws, _ = resolve(workspace, as_)
    app = app_()
    result = import_activity_file(app.engine, app.settings, ws, campaign, file)
    if json_:
        print_json(result.to_json())
        return
    kinds = ", ".join(f"{n} {t}" for t, n in sorted(result.by_type.items()))
    typer.echo(
        f"Recorded {result.recorded} of {result.events} activities from {file.name} in "
        f"{result.campaign}" + (f" ({kinds})." if kinds else ".")
    )
    if result.duplicates:
        typer.echo(f"{result.duplicates} were already recorded and were not added again.")
    for line in _effects(result):
        typer.echo(line)


def _effects(result: ActivityResult) -> list[str]:
    lines = []
    if result.leads_bounced:
        lines.append(f"Emails marked bounced: {result.leads_bounced}.")
    if result.unsubscribed:
        lines.append(f"Leads set to unsubscribed in {result.campaign}: {result.unsubscribed}.")
    return lines


def register(app: typer.Typer) -> None:
    app.add_typer(activity_app, name="activity")

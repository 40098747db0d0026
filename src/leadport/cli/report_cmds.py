"""Campaign statistics and exports."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from leadport.cli.common import AsOpt, JsonOpt, WorkspaceOpt, app_, print_json, resolve
from leadport.db.engine import read_transaction
from leadport.services import directory
from leadport.services.exports import export_leads_file, export_stats_file
from leadport.services.stats import CampaignStats, campaign_stats, stats_table

export_app = typer.Typer(
    help="Export leads (CSV, XLSX) and statistics (CSV).", no_args_is_help=True
)

OutputOpt = typer.Option(..., "-o", "--output", help="The file to write.")


def stats_command(
    campaign: str = typer.Argument(..., metavar="CAMPAIGN", help="The campaign's name."),
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """A campaign's statistics: leads contacted, opened, replied… each with its rate."""
    ws, _ = resolve(workspace, as_)
    with read_transaction(app_().engine) as conn:
        stats = campaign_stats(conn, directory.find_campaign(conn, ws.id, campaign))
    if json_:
        print_json(stats.to_json())
        return
    Console().print(stats_rich_table(stats))


def stats_rich_table(stats: CampaignStats) -> Table:
    table = Table(title=Text(stats.campaign), title_justify="left")
    table.add_column("metric")
    table.add_column("leads", justify="right")
    table.add_column("rate", justify="right")
    for metric, count, rate in stats_table(stats):
        table.add_row(metric.replace("_", " "), f"{count:,}", "" if rate is None else f"{rate:.1%}")
    return table


@export_app.command("leads")
def export_leads_command(
    output: Path = OutputOpt,
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
    campaign: str | None = typer.Option(
        None, "--campaign", help="Only this campaign's leads, with their status and activity."
    ),
) -> None:
    """Export leads to CSV or XLSX (by the file's extension), ready to re-import."""
    ws, _ = resolve(workspace, as_)
    result = export_leads_file(app_().engine, ws, output, campaign=campaign)
    what = f"campaign {result.campaign}" if result.campaign else f"workspace {ws.name}"
    noun = "lead" if result.leads == 1 else "leads"
    typer.echo(f"Exported {result.leads:,} {noun} of {what} to {output}.")


@export_app.command("stats")
def export_stats_command(
    campaign: str = typer.Option(..., "--campaign", help="The campaign."),
    output: Path = OutputOpt,
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
) -> None:
    """Export a campaign's statistics to CSV: one line per metric with its count and rate."""
    ws, _ = resolve(workspace, as_)
    stats = export_stats_file(app_().engine, ws, campaign, output)
    typer.echo(f"Exported the statistics of {stats.campaign} ({stats.leads:,} leads) to {output}.")


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)
    app.add_typer(export_app, name="export")

"""`leadport imports list` and `leadport imports rejected`: the import history."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from leadport.cli.common import AsOpt, JsonOpt, WorkspaceOpt, app_, print_json, resolve
from leadport.cli.rollback_cmds import plural
from leadport.services.history import HistoryEntry, ImportHistory, list_imports
from leadport.services.rejected_rows import rejected_rows_file

HEADERS = (  # (header, a column of names that may fold)
    ("Import", False),
    ("When (UTC)", False),
    ("File", True),
    ("Source", False),
    ("Campaign", True),
    ("Member", True),
    ("State", False),
    ("Added", False),
    ("Modified", False),
    ("Rejected", False),
    ("Imported", False),
)
PIPE_WIDTH = 200  # off a terminal Rich assumes 80 columns, which would fold every name

imports_app = typer.Typer(help="The import history.", no_args_is_help=True)


@imports_app.command("list")
def imports_list(
    workspace: str | None = WorkspaceOpt,
    campaign: str | None = typer.Option(
        None, "--campaign", help="Only the imports into this campaign."
    ),
    all_: bool = typer.Option(False, "--all", help="Also list rolled-back imports."),
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """List imports, newest first (rolled-back ones only with --all)."""
    ws, member = resolve(workspace, as_)
    history = list_imports(app_().engine, ws, member, campaign=campaign, include_rolled_back=all_)
    if json_:
        print_json(history.to_json())
        return
    _show(history, campaign)


@imports_app.command("rejected")
def imports_rejected(
    import_id: int = typer.Argument(..., metavar="IMPORT_ID", help="The import's number."),
    output: Path = typer.Option(..., "-o", "--output", help="The CSV file to write."),
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
) -> None:
    """Write the rows an import did not take, with the reasons, as a CSV to fix and import again."""
    ws, _ = resolve(workspace, as_)
    count = rejected_rows_file(app_().engine, ws.id, import_id, output)
    typer.echo(f"Wrote {plural(count, 'row')} not taken by import {import_id} to {output}.")


def _show(history: ImportHistory, campaign: str | None) -> None:
    out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH)
    if history.entries:
        out.print(history_table(history.entries))
    else:
        target = f" into campaign {campaign!r}" if campaign else ""
        out.print(f"No imports{target} yet.", markup=False)
    if history.hidden_rolled_back:
        hidden = plural(history.hidden_rolled_back, "rolled-back import")
        out.print(f"{hidden} not shown; add --all to list them.", markup=False)


def history_table(entries: list[HistoryEntry]) -> Table:
    """Counts are the account step's, then how many joined the campaign ("Imported")."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for header, folds in HEADERS:
        numeric = header in ("Import", "Added", "Modified", "Rejected", "Imported")
        table.add_column(
            header,
            no_wrap=not folds,
            overflow="fold",
            justify="right" if numeric else "left",
        )
    for e in entries:
        a = e.account
        cells = (
            str(e.import_id),
            e.created_at.strftime("%Y-%m-%d %H:%M") if e.created_at else "",
            e.file_name or "",
            e.source,
            e.campaign or "",
            e.member or "",
            e.state,
            str(a.get("added", 0)),
            str(a.get("modified", 0)),
            str(a.get("rejected", 0)),
            "" if e.campaign_counts is None else str(e.campaign_counts.get("imported", 0)),
        )
        table.add_row(*(Text(cell) for cell in cells))  # a file name is text, never markup
    return table


def register(app: typer.Typer) -> None:
    app.add_typer(imports_app, name="imports")

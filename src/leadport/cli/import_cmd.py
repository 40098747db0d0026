"""`leadport import FILE`: the CLI door to the import pipeline."""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from leadport.cli.common import AsOpt, JsonOpt, WorkspaceOpt, app_, err_console, resolve, say
from leadport.db.engine import read_transaction
from leadport.domain.model import Mode, Policy
from leadport.domain.options import ImportOptions
from leadport.domain.outcomes import RowOutcome
from leadport.errors import UsageError
from leadport.services.imports import ImportRequest, ImportResult, run_import
from leadport.services.report import report_row_texts, write_report_json


def parse_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        header, sep, field = pair.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise UsageError(
                f"--map {pair!r} must look like HEADER=FIELD, e.g. --map 'Mail=email'."
            )
        mapping[header.strip()] = field.strip()
    return mapping


class _Bar:
    """A Rich progress bar on stderr, shown only on a terminal."""

    def __init__(self, label: str) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]} rows"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        )
        self.task = self.progress.add_task(label, total=None, rows=0)

    def progress_(self, rows_done: int, done: int, total: int | None) -> None:
        self.progress.update(self.task, completed=done, total=total, rows=rows_done)

    def cancelled(self) -> bool:
        return False


class _Observer:
    def __init__(self, bar: _Bar) -> None:
        self.bar = bar

    def progress(self, rows_done: int, done: int, total: int | None) -> None:
        self.bar.progress_(rows_done, done, total)

    def cancelled(self) -> bool:
        return False


def import_command(
    file: Path = typer.Argument(..., help="CSV, TSV or XLSX file of leads."),
    workspace: str | None = WorkspaceOpt,
    campaign: str | None = typer.Option(None, "--campaign", help="Add the leads to this campaign."),
    mode: Mode = typer.Option(
        Mode.CREATE_AND_UPDATE, "--mode", help="create_and_update, create_only or update_only."
    ),
    policy: Policy | None = typer.Option(
        None, "--policy", help="Duplicate policy (default: the workspace's)."
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Non-empty cells replace existing values."
    ),
    tag: list[str] = typer.Option(
        [], "--tag", help="Tag every lead this import creates or modifies."
    ),
    map_: list[str] = typer.Option(
        [], "--map", help="HEADER=FIELD; FIELD may be custom:NAME or ignore."
    ),
    ignore: list[str] = typer.Option([], "--ignore", help="Do not import this column."),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet name (default: the first)."),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Override the detected text encoding."
    ),
    transform: list[str] = typer.Option(
        [], "--transform", help="Cleaning step to apply (repeatable)."
    ),
    mapping_name: str | None = typer.Option(
        None, "--mapping", help="Start from this saved mapping."
    ),
    save_mapping: str | None = typer.Option(
        None, "--save-mapping", help="Save the mapping under this name."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the exact report; write nothing."),
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """Import a lead file into the workspace (and a campaign), then print its report."""
    if not file.exists():
        raise UsageError(f"{file} does not exist.")
    if not file.is_file():
        raise UsageError(f"{file} is not a file: give the path of a CSV, TSV or XLSX file.")
    for flag, name in (("--mapping", mapping_name), ("--save-mapping", save_mapping)):
        if name is not None and not name.strip():
            raise UsageError(f"{flag} needs the name of a mapping, not a blank.")
    ws, member = resolve(workspace, as_)
    options = ImportOptions(
        campaign=campaign,
        mode=mode,
        policy=policy,
        overwrite=overwrite,
        tags=tag,
        mapping=parse_map(map_),
        ignore=ignore,
        sheet=sheet,
        encoding=encoding,
        transforms=transform,
        saved_mapping=mapping_name,
        save_mapping_as=save_mapping,
        dry_run=dry_run,
        file_name=file.name,
    )
    request = ImportRequest(ws.id, member.id, options, path=file)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        result = _run(request, spool if (dry_run and json_) else None)
        if result.repeat_of:
            err_console.print(
                f"note: {file.name} was already imported into this target on "
                f"{_minute(result.repeat_of['created_at'])} as import "
                f"{result.repeat_of['import_id']}.",
                highlight=False,
                markup=False,
            )
        if json_:
            _print_json(result, spool if dry_run else None)
        else:
            _print_summary(result, workspace)


def _minute(iso: str | None) -> str:
    """`2026-12-06 07:57 UTC`: the minute, as `imports list` shows it, not microseconds."""
    if not iso:
        return "an earlier date"
    when = datetime.fromisoformat(iso)
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _run(request: ImportRequest, spool: Any) -> ImportResult:
    app = app_()
    sink = (
        (lambda o: spool.write(json.dumps(o.to_json(), ensure_ascii=False) + "\n"))
        if spool
        else None
    )
    if sys.stderr.isatty():
        bar = _Bar(f"Importing {request.options.file_name}")
        with bar.progress:
            return run_import(
                app.engine, app.settings, request, observer=_Observer(bar), row_sink=sink
            )
    return run_import(app.engine, app.settings, request, row_sink=sink)


def _spooled_rows(spool: Any) -> Any:
    spool.seek(0)
    for line in spool:
        yield line.rstrip("\n")


def _print_json(result: ImportResult, spool: Any) -> None:
    header = result.report_header()
    if spool is not None:
        write_report_json(sys.stdout, header, _spooled_rows(spool))
        return
    with read_transaction(app_().engine) as conn:
        write_report_json(sys.stdout, header, report_row_texts(conn, result.import_id))


def _print_summary(result: ImportResult, workspace: str | None) -> None:
    s = result.summary
    acc = s["account"]
    verb = "Dry run of import" if result.dry_run else "Import"
    say(
        f"{verb} {result.import_id} {result.state}: {s['rows_read']} rows read, "
        f"{acc['added']} added, {acc['modified']} modified, {acc['rejected']} rejected."
    )
    if s.get("campaign"):
        c = s["campaign"]
        say(
            f"Campaign: {c['imported']} imported, {c['excluded_duplicates']} excluded as duplicates, "
            f"{c['active_elsewhere']} active elsewhere, {c['failed']} failed."
        )
    for code, count in s["codes"].items():
        if code not in ("added", "modified", "imported"):
            say(f"  {code}: {count}")
    taken = s["campaign"]["imported"] if s.get("campaign") else acc["added"] + acc["modified"]
    if (not_taken := s["rows_read"] - taken) and not result.dry_run:
        rows = "row" if not_taken == 1 else "rows"
        say(
            f"The {not_taken} {rows} not taken, with the reasons, as a CSV to fix and import again:"
        )
        where = f" --workspace {shlex.quote(workspace)}" if workspace else ""
        out = f"rejected-{result.import_id}.csv"
        say(f"  leadport imports rejected {result.import_id} -o {out}{where}")


def outcome_line(o: RowOutcome) -> str:
    return f"row {o.row}: {o.code} {o.campaign_code or ''} {o.message}"


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)

"""Rollback, restore and the purge of kept rollback data."""

from __future__ import annotations

import sys
from typing import Any

import typer

from leadport.cli.common import AsOpt, JsonOpt, app_, err_console, print_json
from leadport.errors import ConflictError, UsageError
from leadport.services.restore import RestoreResult, purge_rollback_data, restore_import
from leadport.services.rollback import (
    RollbackResult,
    ensure_rollback_allowed,
    preview_rollback,
    roll_back,
)

SHOWN = 20  # newer values or skipped leads listed in the human summary

ImportIdArg = typer.Argument(..., metavar="IMPORT_ID", help="The import's id (see imports list).")


def parse_import_id(value: str) -> int:
    if not value.strip().isdigit():
        raise UsageError(f"IMPORT_ID must be a number such as 12, not {value!r}.")
    return int(value)


def rollback_command(
    import_id: str = ImportIdArg,
    preview: bool = typer.Option(
        False, "--preview", help="Show what would change; change nothing."
    ),
    yes: bool = typer.Option(False, "--yes", help="Roll back without asking for confirmation."),
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """Undo an import: remove its memberships and the leads it created, put back the fields it
    changed, and keep a backup CSV of what was removed."""
    number = parse_import_id(import_id)
    engine = app_().engine
    if not (preview or yes or interactive()):
        ensure_rollback_allowed(engine, number, as_)  # a refusal says more than "add --yes"
        raise UsageError(
            f"Rolling back import {number} needs a confirmation; add --yes to roll it back "
            "without a terminal."
        )
    if preview or not yes:
        shown = preview_rollback(engine, number, as_)
        if preview:
            _show_rollback(shown, json_)
            return
        _confirm(shown)
    _show_rollback(roll_back(engine, app_().settings, number, as_), json_)


def interactive() -> bool:
    """Whether a confirmation can be asked (stdin is a terminal)."""
    return sys.stdin.isatty()


def _confirm(shown: RollbackResult) -> None:
    number = shown.import_id
    for line in rollback_lines(shown):
        err_console.print(line, highlight=False, markup=False, soft_wrap=True)
    if not typer.confirm(f"Roll back import {number}?", default=False, err=True):
        raise ConflictError(f"Import {number} was not rolled back: the rollback was declined.")


def _show_rollback(result: RollbackResult, json_: bool) -> None:
    if json_:
        print_json(result.to_json())
        return
    for line in rollback_lines(result):
        typer.echo(line)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def rollback_lines(r: RollbackResult) -> list[str]:
    c = r.counts
    fields = f"{plural(r.fields_restored, 'field value')} on {plural(r.leads_reverted, 'lead')}"
    memberships = (
        f"{plural(c.memberships, 'membership')} ({c.with_activity} with activity, "
        f"{c.replied} replied, {c.meetings_booked} with a meeting booked)"
    )
    leads = plural(c.leads_deleted, "lead")
    if r.preview:
        lines = [
            f"Rolling back import {r.import_id} would remove {memberships}, delete {leads} "
            f"and put back {fields}."
        ]
    else:
        lines = [
            f"Import {r.import_id} rolled back: removed {memberships}, deleted {leads}, "
            f"put back {fields}."
        ]
    if r.kept_newer:
        verb = "would keep" if r.preview else "kept"
        lines.append(
            f"{plural(len(r.kept_newer), 'value')} changed since the import {verb} the newer value:"
        )
        lines += [f"  {k['email']} {k['field']} = {k['value']!r}" for k in r.kept_newer[:SHOWN]]
        lines += _more(len(r.kept_newer))
    if r.backup_file:
        lines.append(f"Backup of what was removed: {r.backup_file}")
    return lines


def restore_command(
    import_id: str = ImportIdArg,
    as_: str | None = AsOpt,
    json_: bool = JsonOpt,
) -> None:
    """Bring back a rolled-back import (admins, within the retention period)."""
    number = parse_import_id(import_id)
    result = restore_import(app_().engine, app_().settings, number, as_)
    if json_:
        print_json(result.to_json())
        return
    for line in restore_lines(result):
        typer.echo(line)


def restore_lines(r: RestoreResult) -> list[str]:
    lines = [
        f"Import {r.import_id} restored: {plural(r.leads_restored, 'lead')}, "
        f"{plural(r.memberships_restored, 'membership')} and "
        f"{plural(r.fields_restored, 'field value')} are back."
    ]
    if r.skipped:
        lines.append(f"Not restored ({len(r.skipped)}):")
        lines += [f"  {_who(s)}: {s['reason']}" for s in r.skipped[:SHOWN]]
        lines += _more(len(r.skipped))
    if r.kept_newer:
        lines.append(
            f"{len(r.kept_newer)} values changed since the rollback kept their newer value."
        )
    return lines


def purge_command(json_: bool = JsonOpt) -> None:
    """Delete what rollbacks kept for restore once the retention period is over (for a scheduler)."""
    app = app_()
    purged = purge_rollback_data(app.engine, app.settings)
    if json_:
        print_json({"purged": [str(i) for i in purged]})
        return
    days = app.settings.restore_retention_days
    typer.echo(
        f"Purged what {plural(len(purged), 'rolled-back import')} kept for restore "
        f"(retention: {days} days)."
        if purged
        else f"Nothing to purge: no rollback older than {days} days still keeps data."
    )


def _who(entry: dict[str, Any]) -> str:
    return str(entry.get("email") or entry.get("linkedin_url") or "a lead")


def _more(total: int) -> list[str]:
    return [f"  … and {total - SHOWN} more (see --json)."] if total > SHOWN else []


def register(app: typer.Typer) -> None:
    app.command("rollback")(rollback_command)
    app.command("restore")(restore_command)
    app.command("purge")(purge_command)

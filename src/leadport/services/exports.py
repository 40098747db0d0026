"""Exports (PRODUCT.md §5): a campaign's or the workspace's leads as CSV or XLSX, and a
campaign's statistics as CSV.

Door-agnostic: `export_leads` and `export_stats` write to any binary stream (an API response
can stream a temporary file); the `*_file` forms pick the format by extension and write
atomically. The header and the rows are read in one snapshot (REPEATABLE READ on PostgreSQL; a
SQLite read transaction already is one), so a custom field added meanwhile cannot appear in a
row without a column.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine

from leadport.db import export_rows
from leadport.db.engine import is_sqlite
from leadport.errors import NotFoundError, UsageError
from leadport.services import directory
from leadport.services.directory import Campaign, Workspace
from leadport.services.stats import CampaignStats, campaign_stats, stats_table
from leadport.writers.atomic_file import atomic_file
from leadport.writers.lead_export import (
    Cell,
    ExportFormat,
    format_for,
    lead_cells,
    lead_header,
    write_table,
)

STATS_HEADER = ["campaign", "metric", "count", "rate"]


@dataclass(frozen=True)
class ExportResult:
    format: str
    leads: int
    columns: list[str]
    campaign: str | None
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "leads": self.leads,
            "columns": list(self.columns),
            "campaign": self.campaign,
            "path": self.path,
        }


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction in which every query sees the same database state."""
    with engine.connect() as conn:
        if not is_sqlite(conn):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def export_leads(
    conn: Connection,
    workspace: Workspace,
    out: IO[bytes],
    *,
    fmt: ExportFormat,
    campaign: Campaign | None = None,
) -> ExportResult:
    """Write the workspace's leads, or the campaign's, to `out`; the caller owns the stream."""
    in_campaign = campaign is not None
    names = export_rows.custom_field_names(
        conn, workspace_id=workspace.id, campaign_id=campaign.id if campaign else None
    )
    header = lead_header(names, campaign=in_campaign)
    rows = (
        export_rows.campaign_rows(conn, campaign.id)
        if campaign is not None
        else export_rows.workspace_rows(conn, workspace.id)
    )
    with closing(rows):  # a failed write closes the cursor now, not when collected
        cells = (lead_cells(r, names, campaign=in_campaign) for r in rows)
        count = write_table(out, fmt, header, cells)
    return ExportResult(fmt.value, count, header, campaign.name if campaign else None)


def export_leads_file(
    engine: Engine, workspace: Workspace, path: Path, *, campaign: str | None = None
) -> ExportResult:
    """Export to `path` (`.csv` or `.xlsx`), written under a temporary name, then renamed."""
    fmt = output_format(path, (ExportFormat.CSV, ExportFormat.XLSX))
    check_folder(path)
    with snapshot(engine) as conn:
        found = directory.find_campaign(conn, workspace.id, campaign) if campaign else None
        with atomic_file(path) as out:
            result = export_leads(conn, workspace, out, fmt=fmt, campaign=found)
    return ExportResult(result.format, result.leads, result.columns, result.campaign, str(path))


def export_stats(stats: CampaignStats, out: IO[bytes]) -> None:
    """One line per metric: campaign, metric, count, rate (a fraction, four decimals)."""
    rows: list[list[Cell]] = [
        [stats.campaign, metric, count, "" if rate is None else f"{rate:.4f}"]
        for metric, count, rate in stats_table(stats)
    ]
    write_table(out, ExportFormat.CSV, STATS_HEADER, rows)


def export_stats_file(
    engine: Engine, workspace: Workspace, campaign: str, path: Path
) -> CampaignStats:
    output_format(path, (ExportFormat.CSV,))
    check_folder(path)
    with snapshot(engine) as conn:
        stats = campaign_stats(conn, directory.find_campaign(conn, workspace.id, campaign))
    with atomic_file(path) as out:
        export_stats(stats, out)
    return stats


def output_format(path: Path, allowed: tuple[ExportFormat, ...]) -> ExportFormat:
    fmt = format_for(path)
    if fmt is None or fmt not in allowed:
        names = " or ".join(f".{f.value}" for f in allowed)
        raise UsageError(
            f"The output file {path.name!r} must end in {names}: its extension picks the format.",
            detail={"file": str(path)},
        )
    return fmt


def check_folder(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise NotFoundError(
            f"Cannot write {path}: the folder {folder} does not exist.", detail={"file": str(path)}
        )

"""Lead exports as downloads: the workspace's leads, or a campaign's, in CSV or XLSX.

The same service as `leadport export leads` (formula-safe cells, re-importable headers). The
file is written first, inside one read snapshot, into an unnamed temporary file in the data
folder, then streamed: memory stays flat whatever the number of leads, the database transaction
lasts as long as the writing and not as long as a slow client's download, an error (an unknown
campaign) is still a proper status rather than a truncated file, and the operating system frees
the file when the response ends, also when the client goes away or the server stops.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from leadport.api.deps import MemberDep, ServerDep
from leadport.api.errors import error_responses
from leadport.bootstrap import App
from leadport.config import Settings
from leadport.services import directory
from leadport.services.exports import export_leads, snapshot
from leadport.writers.lead_export import ExportFormat

router = APIRouter(prefix="/api/v1/exports", tags=["export"])

CHUNK = 64 * 1024
MEDIA = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = (
    "The lead fields (email, linkedin_url, first_name, last_name, company_name, company_domain, "
    "job_title, phone), one column per custom field, `tags`, then leadport_* columns an import "
    "ignores: the lead id, its campaigns and statuses (or, for a campaign, its status and the "
    "import that added it) and one count per activity type. Formula-safe: no text cell starts "
    "with =, +, -, @."
)
CampaignQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=2**31 - 1,
        description="Only this campaign's leads (its id), with their status and activity in it.",
    ),
]


def _responses(fmt: ExportFormat, shape: str) -> dict[int | str, dict[str, Any]]:
    schema = (
        {"type": "string", "format": "binary"} if fmt is ExportFormat.XLSX else {"type": "string"}
    )
    return {
        200: {"content": {MEDIA[fmt]: {"schema": schema}}, "description": f"{shape} {COLUMNS}"},
        **error_responses(404),
    }


@router.get(
    "/leads.csv",
    response_class=StreamingResponse,
    responses=_responses(ExportFormat.CSV, "UTF-8 with a BOM, comma-separated, one line per lead."),
)
def export_leads_csv(member: MemberDep, srv: ServerDep, campaign: CampaignQuery = None) -> Any:
    """The workspace's leads (or a campaign's, `?campaign=ID`) as CSV, ready to re-import."""
    return _download(srv.app, member.workspace_id, ExportFormat.CSV, campaign)


@router.get(
    "/leads.xlsx",
    response_class=StreamingResponse,
    responses=_responses(ExportFormat.XLSX, "One sheet `Leads`, one row per lead."),
)
def export_leads_xlsx(member: MemberDep, srv: ServerDep, campaign: CampaignQuery = None) -> Any:
    """The workspace's leads (or a campaign's, `?campaign=ID`) as XLSX, ready to re-import."""
    return _download(srv.app, member.workspace_id, ExportFormat.XLSX, campaign)


def _download(
    app: App, workspace_id: int, fmt: ExportFormat, campaign_id: int | None
) -> StreamingResponse:
    spool = tempfile.TemporaryFile(dir=exports_dir(app.settings))  # noqa: SIM115 - closed by the stream
    try:
        with snapshot(app.engine) as conn:
            workspace = directory.workspace_by_id(conn, workspace_id)
            campaign = (
                directory.campaign_by_id(conn, workspace_id, campaign_id) if campaign_id else None
            )
            export_leads(conn, workspace, spool, fmt=fmt, campaign=campaign)
        size = spool.seek(0, 2)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    name = f"leads-campaign-{campaign_id}.{fmt.value}" if campaign_id else f"leads.{fmt.value}"
    media = f"{MEDIA[fmt]}; charset=utf-8" if fmt is ExportFormat.CSV else MEDIA[fmt]
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Length": str(size),
    }
    return StreamingResponse(_chunks(spool), media_type=media, headers=headers)


def exports_dir(settings: Settings) -> Path:
    path = settings.data_dir.resolve() / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while block := spool.read(CHUNK):
            yield block

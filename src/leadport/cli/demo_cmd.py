"""`leadport demo`: import the bundled sample file into a demo campaign and print its report."""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

import typer

from leadport.cli.common import app_, print_json, resolve, say
from leadport.db.engine import read_transaction, write_transaction
from leadport.domain.options import ImportOptions
from leadport.errors import NotFoundError
from leadport.services import directory
from leadport.services.imports import ImportRequest, run_import
from leadport.services.report import report_json_rows

DEMO_CAMPAIGN = "Demo outreach"


def demo() -> None:
    """Import a bundled sample file (title lines, duplicates, bad rows) and print its report."""
    app = app_()
    ws, member = resolve(None)
    with write_transaction(app.engine) as conn:
        try:
            directory.find_campaign(conn, ws.id, DEMO_CAMPAIGN)
        except NotFoundError:
            directory.create_campaign(conn, ws.id, DEMO_CAMPAIGN)
    sample = resources.files("leadport.samples") / "sample_leads.csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample_leads.csv"
        with resources.as_file(sample) as src:
            shutil.copy(src, path)
        options = ImportOptions(campaign=DEMO_CAMPAIGN, file_name=path.name)
        result = run_import(
            app.engine, app.settings, ImportRequest(ws.id, member.id, options, path=path)
        )
    with read_transaction(app.engine) as conn:
        report = {**result.report_header(), "rows": list(report_json_rows(conn, result.import_id))}
    print_json(report)
    say(f"\nDatabase: {app.settings.resolved_database_url}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)

"""SQLite: a new lead's missing values are stored as NULL (new leads go through a temporary
twin of the table, db/staging.py), and the values it has are all there."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from leadport.bootstrap import build
from leadport.config import Settings
from leadport.db.engine import write_transaction
from leadport.domain.model import LEAD_FIELDS
from leadport.domain.options import ImportOptions
from leadport.services import directory
from leadport.services.imports import ImportRequest, run_import

FULL = (
    "Email,LinkedIn,First Name,Last Name,Company,Website,Title,Phone,Tags,Shoe size\n"
    "ann@acme.com,linkedin.com/in/ann-lee,Ann,Lee,Acme,acme.com,CEO,+44 20 7946 0958,vip,38\n"
)
BARE = "bob@acme.com,,,,,,,,,\n"

STORED = (*LEAD_FIELDS, "linkedin_key", "custom_fields", "tags", "name_key")


def test_a_lead_with_only_an_email_has_null_everywhere_else(tmp_path: Path) -> None:
    db = tmp_path / "leads.sqlite"
    app = build(Settings(database_url=f"sqlite:///{db}", data_dir=tmp_path, secret_key="k"))
    try:
        path = tmp_path / "leads.csv"
        path.write_text(FULL + BARE, encoding="utf-8")
        with write_transaction(app.engine) as conn:
            ws = directory.find_workspace(conn, None)
        result = run_import(
            app.engine, app.settings, ImportRequest(ws.id, None, ImportOptions(), path=path)
        )
        assert result.summary["codes"] == {"added": 2}
    finally:
        app.engine.dispose()
    with closing(sqlite3.connect(db)) as conn:
        names = ", ".join(STORED)
        ann, bob = conn.execute(f"SELECT {names} FROM leads ORDER BY id").fetchall()
    ann_values = dict(zip(STORED, ann, strict=True))
    bob_values = dict(zip(STORED, bob, strict=True))
    assert all(ann_values.values()), ann_values  # every column filled, none NULL or ''
    assert bob_values.pop("email") == "bob@acme.com"
    assert bob_values == dict.fromkeys(bob_values)  # all NULL

"""A new lead's missing values are stored as NULL and the values it has are all there (on
SQLite new leads go through a temporary twin of the table, db/staging.py; on PostgreSQL through
a JSON array)."""

from __future__ import annotations

from leadport.db.engine import write_transaction
from leadport.db.import_writes import LEAD_INSERT
from leadport.domain.options import ImportOptions
from leadport.services import directory
from leadport.services.imports import ImportRequest, run_import
from tests.integration.rollback_helpers import sql

FULL = (
    "Email,LinkedIn,First Name,Last Name,Company,Website,Title,Phone,Tags,Shoe size\n"
    "ann@acme.com,linkedin.com/in/ann-lee,Ann,Lee,Acme,acme.com,CEO,+44 20 7946 0958,vip,38\n"
)
BARE = "bob@acme.com,,,,,,,,,\n"

STORED = LEAD_INSERT[1:]  # what a new lead's insert sets, after its id


def test_a_lead_with_only_an_email_has_null_everywhere_else(app, database_url, write_csv):
    with write_transaction(app.engine) as conn:
        ws = directory.find_workspace(conn, None)
    path = write_csv(FULL + BARE)
    result = run_import(
        app.engine, app.settings, ImportRequest(ws.id, None, ImportOptions(), path=path)
    )
    assert result.summary["codes"] == {"added": 2}
    ann, bob = sql(database_url, f"SELECT {', '.join(STORED)} FROM leads ORDER BY id")
    ann_values = dict(zip(STORED, ann, strict=True))
    bob_values = dict(zip(STORED, bob, strict=True))
    assert all(ann_values.values()), ann_values  # every column filled, none NULL or ''
    assert bob_values.pop("email") == "bob@acme.com"
    assert bob_values == dict.fromkeys(bob_values)  # all NULL

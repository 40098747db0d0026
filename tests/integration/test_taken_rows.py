"""Rows taken without detail are stored one record per batch and code pair (migration 0004),
and go back to one record per row when the migration is undone."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine

from leadport.db.migrate import alembic_config
from tests.integration.rollback_helpers import sql

FILE = (
    "Email,Phone\na@x.com,030 1234567\nb@x.com,\nnot-an-email,\nA@x.com,\nc@x.com,+1 415 555 0100\n"
)


def _alembic(database_url: str, verb: str, revision: str) -> None:
    engine = create_engine(database_url)
    try:
        getattr(command, verb)(alembic_config(engine), revision)
    finally:
        engine.dispose()


def test_taken_rows_share_a_record_and_come_back_one_per_row(cli, database_url, write_csv):
    cli("campaign", "create", "C")
    report = cli("import", write_csv(FILE), "--campaign", "C", "--json").json()["rows"]
    expected = [
        (r["row"], r["code"], None if r["lead_id"] is None else int(r["lead_id"]), r["warnings"])
        for r in report
    ]
    assert [code for _, code, _, _ in expected] == [
        "added",
        "added",
        "invalid_email",
        "duplicate_in_file",
        "added",
    ]
    records = sql(database_url, "SELECT row, taken_rows IS NOT NULL FROM import_rows ORDER BY row")
    assert records == [(2, True), (4, False), (5, False)]  # rows 2, 3 and 6 in the first

    _alembic(database_url, "downgrade", "0003")
    rows = sql(database_url, "SELECT row, code, lead_id, warnings FROM import_rows ORDER BY row")
    _alembic(database_url, "upgrade", "head")

    as_stored = [
        (row, code, lead_id, (json.loads(w) if isinstance(w, str) else w) or [])
        for row, code, lead_id, w in rows
    ]
    assert as_stored == expected
    assert as_stored[0][3] == ["phone_unparseable"]

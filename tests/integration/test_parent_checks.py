"""A lead, a membership and an outcome row always belong to a workspace, a campaign and an import
that exist, on both backends.

On SQLite these are declared foreign keys. On PostgreSQL they are checked once per statement by
triggers (migration 0003) instead of once per row; the tests hold both to the same behaviour:
no orphan can be written, deleting a parent deletes its children, a used parent id cannot change.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from leadport.db.engine import is_sqlite, write_transaction
from leadport.domain.options import ImportOptions
from leadport.services import directory
from leadport.services.imports import ImportRequest, run_import

FILE = "Email,First Name\na@x.com,Ann\nb@x.com,Bob\nbad-email,Cy\n"
NOW = "2026-12-06 00:00:00"
TABLES = ("leads", "campaign_leads", "import_rows")


@pytest.fixture
def imported(app, tmp_path):
    """A workspace, a campaign C and one import of three rows (two taken): their ids."""
    path = tmp_path / "leads.csv"
    path.write_text(FILE, encoding="utf-8")
    with write_transaction(app.engine) as conn:
        ws = directory.find_workspace(conn, None)
        campaign = directory.create_campaign(conn, ws.id, "C")
    request = ImportRequest(ws.id, None, ImportOptions(campaign="C"), path=path)
    result = run_import(app.engine, app.settings, request)
    return ws.id, campaign.id, result.import_id


def _count(app, sql: str, **params: int) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _refused(app, sql: str, **params: object) -> None:
    with pytest.raises(IntegrityError), app.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_no_lead_membership_or_outcome_row_for_a_missing_parent(app, imported):
    ws = imported[0]
    before = [_count(app, f"SELECT count(*) FROM {t}") for t in TABLES]

    _refused(
        app,
        "INSERT INTO leads (workspace_id, email, created_at, updated_at)"
        " VALUES (9999, 'z@x.com', :now, :now)",
        now=NOW,
    )
    _refused(
        app,
        "INSERT INTO campaign_leads (campaign_id, lead_id, status, created_at, updated_at)"
        " SELECT 9999, id, 'scheduled', :now, :now FROM leads",
        now=NOW,
    )
    _refused(app, "INSERT INTO import_rows (import_id, row, code) VALUES (9999, 2, 'added')")
    _refused(app, "UPDATE leads SET workspace_id = 9999 WHERE email = 'a@x.com'")
    _refused(app, "UPDATE campaign_leads SET campaign_id = 9999")
    _refused(app, "UPDATE import_rows SET import_id = 9999 WHERE row = 2")

    assert [_count(app, f"SELECT count(*) FROM {t}") for t in TABLES] == before
    # a statement whose rows all name parents that exist still goes through
    with app.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO leads (workspace_id, email, created_at, updated_at)"
                " VALUES (:ws, 'z@x.com', :now, :now)"
            ),
            {"ws": ws, "now": NOW},
        )
    assert _count(app, "SELECT count(*) FROM leads WHERE workspace_id = :ws", ws=ws) == 3


def test_deleting_a_parent_deletes_its_children(app, imported):
    ws, campaign, import_id = imported
    every_row = "SELECT count(*) FROM import_row_leads WHERE import_id = :i"  # migration 0004
    assert _count(app, every_row, i=import_id) == 3
    with app.engine.begin() as conn:
        conn.execute(text("DELETE FROM imports WHERE id = :i"), {"i": import_id})
    assert _count(app, "SELECT count(*) FROM import_rows") == 0
    assert _count(app, "SELECT count(*) FROM campaign_leads") == 2

    with app.engine.begin() as conn:
        conn.execute(text("DELETE FROM campaigns WHERE id = :c"), {"c": campaign})
    assert _count(app, "SELECT count(*) FROM campaign_leads") == 0
    assert _count(app, "SELECT count(*) FROM leads") == 2

    with app.engine.begin() as conn:
        conn.execute(text("DELETE FROM workspaces WHERE id = :w"), {"w": ws})
    assert _count(app, "SELECT count(*) FROM leads") == 0


def test_a_used_parent_id_cannot_change(app, imported):
    ws, campaign, import_id = imported
    for table, old in (("workspaces", ws), ("campaigns", campaign), ("imports", import_id)):
        with pytest.raises(IntegrityError), app.engine.begin() as conn:
            conn.execute(text(f"UPDATE {table} SET id = 9999 WHERE id = :old"), {"old": old})
    assert _count(app, "SELECT count(*) FROM leads WHERE workspace_id = :ws", ws=ws) == 2


def test_a_parent_in_use_by_an_open_write_cannot_be_deleted_under_it(app, imported):
    """PostgreSQL: the rows' parents are locked until the writing transaction ends, as a foreign
    key would lock them, so a concurrent delete waits instead of leaving orphans behind."""
    ws = imported[0]
    if is_sqlite(app.engine):
        pytest.skip("SQLite has one writer at a time: no delete can run under an open write")
    writer = app.engine.connect()
    other = app.engine.connect()
    try:
        writer.begin()
        writer.execute(
            text(
                "INSERT INTO leads (workspace_id, email, created_at, updated_at)"
                " VALUES (:ws, 'z@x.com', :now, :now)"
            ),
            {"ws": ws, "now": NOW},
        )
        other.begin()
        other.exec_driver_sql("SET LOCAL lock_timeout = '300ms'")
        with pytest.raises(OperationalError, match="lock timeout"):
            other.execute(text("DELETE FROM workspaces WHERE id = :w"), {"w": ws})
        other.rollback()
        writer.commit()
    finally:
        writer.close()
        other.close()
    assert _count(app, "SELECT count(*) FROM leads WHERE workspace_id = :ws", ws=ws) == 3

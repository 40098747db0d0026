"""SQLite: an import writes with foreign-key checks off (db/engine.py, `import_connection`); every
connection is checked again once the import ends, however it ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from leadport.bootstrap import build
from leadport.config import Settings
from leadport.db.engine import read_transaction, write_transaction
from leadport.domain.options import ImportOptions
from leadport.services import directory
from leadport.services.imports import ImportCancelledError, ImportRequest, run_import

FILE = "Email,First Name\na@x.com,Ann\nb@x.com,Bob\n"


class _CancelAtOnce:
    def progress(self, rows_done: int, done: int, total: int | None) -> None:
        pass

    def cancelled(self) -> bool:
        return True


@pytest.fixture
def app(tmp_path: Path):
    built = build(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
            data_dir=tmp_path,
            secret_key="k",
        )
    )
    yield built
    built.engine.dispose()


def _request(app, tmp_path: Path) -> ImportRequest:
    path = tmp_path / "leads.csv"
    path.write_text(FILE, encoding="utf-8")
    with write_transaction(app.engine) as conn:
        ws = directory.find_workspace(conn, None)
        directory.create_campaign(conn, ws.id, "C")
    return ImportRequest(ws.id, None, ImportOptions(campaign="C"), path=path)


def _every_pooled_connection_checks_foreign_keys(app) -> None:
    conns = [app.engine.connect() for _ in range(3)]  # the import's connection among them
    try:
        for conn in conns:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            conn.rollback()
        with pytest.raises(IntegrityError), conns[0].begin():
            conns[0].execute(
                text(
                    "INSERT INTO campaign_leads (campaign_id, lead_id, status, import_id,"
                    " created_at, updated_at) VALUES (999, 999, 'scheduled', NULL, 'x', 'x')"
                )
            )
    finally:
        for conn in conns:
            conn.close()


def test_checks_are_back_after_an_import(app, tmp_path):
    result = run_import(app.engine, app.settings, _request(app, tmp_path))
    assert result.summary["account"]["added"] == 2
    with read_transaction(app.engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM campaign_leads")).scalar() == 2
    _every_pooled_connection_checks_foreign_keys(app)


def test_checks_are_back_after_a_cancelled_import(app, tmp_path):
    with pytest.raises(ImportCancelledError):
        run_import(app.engine, app.settings, _request(app, tmp_path), observer=_CancelAtOnce())
    with read_transaction(app.engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM leads")).scalar() == 0
    _every_pooled_connection_checks_foreign_keys(app)

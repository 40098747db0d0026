"""SQLite: a new database gets leadport's page size; an existing one keeps its own and works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from leadport.bootstrap import build
from leadport.config import Settings
from leadport.db.engine import PAGE_SIZE, write_transaction
from leadport.domain.options import ImportOptions
from leadport.services import directory
from leadport.services.imports import ImportRequest, run_import


def _import_two_leads(db: Path, tmp_path: Path) -> dict:
    app = build(Settings(database_url=f"sqlite:///{db}", data_dir=tmp_path, secret_key="k"))
    try:
        path = tmp_path / "leads.csv"
        path.write_text("Email,First Name\na@x.com,Ann\nb@x.com,Bob\n", encoding="utf-8")
        with write_transaction(app.engine) as conn:
            ws = directory.find_workspace(conn, None)
        result = run_import(
            app.engine, app.settings, ImportRequest(ws.id, None, ImportOptions(), path=path)
        )
        return result.summary["codes"]
    finally:
        app.engine.dispose()


def _page_size(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])


def test_a_new_database_is_made_with_leadports_page_size(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    assert _import_two_leads(db, tmp_path) == {"added": 2}
    assert PAGE_SIZE != 4096
    assert _page_size(db) == PAGE_SIZE


def test_a_database_made_with_other_pages_keeps_them_and_imports(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as conn:  # as an earlier leadport, with SQLite's default pages
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE before_leadport (id INTEGER PRIMARY KEY)")
    assert _import_two_leads(db, tmp_path) == {"added": 2}
    assert _page_size(db) == 4096
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 2

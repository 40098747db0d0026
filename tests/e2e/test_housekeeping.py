"""The server purges restore data past the retention period by itself (no cron job needed), and
with several processes purging, each import is purged and audited once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from live_api import SERVER_SETTINGS, LiveServer, lead_rows, run_server, wait_for
from sqlalchemy import func, select

from leadport.bootstrap import build
from leadport.config import Settings
from leadport.db.engine import read_transaction
from leadport.db.schema import archived_leads, audit_entries, imports


def test_a_server_purges_rollback_data_past_retention_once(
    database_url: str, tmp_path: Path, own_server: Any
) -> None:
    settings = {**SERVER_SETTINGS, "restore_retention_days": 0}
    app = build(
        Settings(
            data_dir=tmp_path,
            database_url=database_url,
            housekeeping_interval_seconds=0.2,
            **settings,
        )
    )
    # A second process of the same deployment, purging too (on PostgreSQL it also runs a worker).
    second_app = build(app.settings)
    second = run_server(second_app)
    next(second)
    server = LiveServer(own_server(app), app, "purge")
    try:
        client = server.tenant().client()
        response = client.post("/api/v1/imports/batch", json={"rows": lead_rows(3)})
        import_id = response.json()["import_id"]
        assert client.post(f"/api/v1/imports/{import_id}/rollback").status_code == 200

        def purged() -> bool:
            with read_transaction(app.engine) as conn:
                return bool(
                    conn.execute(
                        select(imports.c.restore_purged_at).where(imports.c.id == int(import_id))
                    ).scalar_one()
                )

        assert wait_for(purged, timeout=20)
        restore = client.post(f"/api/v1/imports/{import_id}/restore")
        assert restore.status_code == 409
        assert "retention" in restore.json()["message"]
        with read_transaction(app.engine) as conn:
            kept = conn.execute(select(func.count()).select_from(archived_leads)).scalar_one()
            audits = conn.execute(
                select(func.count()).where(audit_entries.c.action == "rollback_data_purged")
            ).scalar_one()
        assert (kept, audits) == (0, 1)
        # the backup CSV outlives the purge
        assert client.get(f"/api/v1/imports/{import_id}/backup.csv").status_code == 200
    finally:
        server.close_clients()
        next(second, None)
        second_app.engine.dispose()

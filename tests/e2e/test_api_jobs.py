"""The import queue across restarts: queued imports wait for a worker, resume when one starts,
and an import whose worker died is run again (or failed with the reason after too many tries)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_api import SERVER_SETTINGS, LiveServer, csv_bytes, lead_rows, run_server, wait_for
from sqlalchemy import select, update

from leadport.bootstrap import App, build
from leadport.config import Settings
from leadport.db.engine import read_transaction, write_transaction
from leadport.db.schema import audit_entries, imports
from leadport.services import jobs
from leadport.services.queue import make_queue
from leadport.services.queue.liveness import recover_stale


@pytest.fixture
def fresh_app(database_url: str, tmp_path: Path) -> Iterator[App]:
    app = build(Settings(data_dir=tmp_path / "data", database_url=database_url, **SERVER_SETTINGS))
    yield app
    app.engine.dispose()


class Served:
    """Servers started and stopped at will over one database, as restarts are."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._running: list[tuple[Iterator[str], LiveServer]] = []

    def start(self, *, worker: bool) -> LiveServer:
        served = run_server(self.app, worker=worker)
        live = LiveServer(next(served), self.app, self.app.engine.dialect.name)
        self._running.append((served, live))
        return live

    def stop_all(self) -> None:
        while self._running:
            served, live = self._running.pop()
            live.close_clients()
            next(served, None)


@pytest.fixture
def served(fresh_app: App) -> Iterator[Served]:
    s = Served(fresh_app)
    yield s
    s.stop_all()


def _state(client: httpx.Client, import_id: str) -> dict[str, Any]:
    return client.get(f"/api/v1/imports/{import_id}").json()  # type: ignore[no-any-return]


def _final(client: httpx.Client, import_id: str) -> dict[str, Any]:
    return wait_for(
        lambda: (
            (s := _state(client, import_id))["state"] in ("completed", "failed", "cancelled") and s
        ),
        timeout=60,
    )  # type: ignore[no-any-return]


def _upload(client: httpx.Client, n: int, domain: str) -> str:
    response = client.post(
        "/api/v1/imports", files={"file": ("l.csv", csv_bytes(lead_rows(n, domain=domain)))}
    )
    assert response.status_code == 202, response.text
    return str(response.json()["import_id"])


def test_queued_imports_wait_for_a_worker_and_resume_after_a_restart(served: Served) -> None:
    server = served.start(worker=False)
    client = server.tenant().client()
    kept = _upload(client, 3, "kept.example.com")
    dropped = _upload(client, 3, "dropped.example.com")
    assert _state(client, kept)["state"] == "queued"
    cancel = client.post(f"/api/v1/imports/{dropped}/cancel")
    assert (cancel.status_code, cancel.json()["state"]) == (202, "cancelled")
    assert _state(client, dropped)["error"] == "Cancelled before it started."
    served.stop_all()

    restarted = served.start(worker=True)
    client = restarted.client(client.headers["authorization"].split()[1])
    assert _final(client, kept)["state"] == "completed"
    assert _state(client, dropped)["state"] == "cancelled"
    assert list((served.app.settings.data_dir / "uploads").glob("*")) == []


def test_an_import_left_running_by_a_dead_worker_is_run_again(served: Served) -> None:
    server = served.start(worker=False)
    client = server.tenant().client()
    import_id = _upload(client, 5, "again.example.com")
    queue = make_queue(served.app.engine, served.app.settings)
    assert (
        jobs.claim(served.app.engine, int(import_id), "worker@gone:1") is not None
    )  # then it "died"
    assert _state(client, import_id)["state"] == "running"
    served.stop_all()

    restarted = served.start(worker=True)
    client = restarted.client(client.headers["authorization"].split()[1])
    status = _final(client, import_id)
    assert (status["state"], status["account"]["added"]) == ("completed", 5)
    with read_transaction(served.app.engine) as conn:
        notes = (
            conn.execute(
                select(audit_entries.c.detail).where(
                    audit_entries.c.action == "import_interrupted",
                    audit_entries.c.subject == import_id,
                )
            )
            .scalars()
            .all()
        )
    assert [n["worker"] for n in notes] == ["worker@gone:1"]
    del queue


def test_an_import_that_keeps_killing_its_worker_fails_with_the_reason(fresh_app: App) -> None:
    settings = fresh_app.settings
    queue = make_queue(fresh_app.engine, settings)
    queue.prepare()
    served = Served(fresh_app)
    try:
        client = served.start(worker=False).tenant().client()
        import_id = _upload(client, 2, "doomed.example.com")
        for attempt in range(settings.job_max_attempts):
            assert (
                jobs.claim(fresh_app.engine, int(import_id), f"worker@gone:{attempt}") is not None
            )
            with write_transaction(fresh_app.engine) as conn:
                conn.execute(
                    update(imports).where(imports.c.id == int(import_id)).values(heartbeat_at=None)
                )
            assert recover_stale(fresh_app.engine, settings, queue) == [int(import_id)]
        status = _state(client, import_id)
        assert status["state"] == "failed"
        assert status["error"] == (
            f"The worker running this import (worker@gone:{settings.job_max_attempts - 1}) stopped responding, "
            f"{settings.job_max_attempts} times; nothing of it was kept. Check the workers' logs, then import "
            "the file again."
        )
    finally:
        served.stop_all()

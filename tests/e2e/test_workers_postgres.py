"""At scale on PostgreSQL: 2 API processes and 2 `leadport worker` processes, as deployed.

Twenty overlapping uploads at once all complete with one lead per identifier; a worker killed
with SIGKILL in the middle of an import leaves nothing of it, and another worker finishes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_api import LiveServer, csv_bytes, free_port, lead_rows, pg_database, wait_for
from sqlalchemy import func, select

from leadport.bootstrap import App, build
from leadport.config import Settings
from leadport.db.engine import read_transaction
from leadport.db.schema import audit_entries, imports, leads

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# Enough rows that an import is still running when the test kills its worker.
ROWS_TO_KILL_IN = 30_000

SETTINGS = {
    "LEADPORT_SECRET_KEY": "workers-secret",
    "LEADPORT_IMPORT_BATCH_SIZE": "100",
    "LEADPORT_JOB_HEARTBEAT_SECONDS": "0.3",
    "LEADPORT_JOB_STALE_SECONDS": "3",
}


@dataclass
class Cluster:
    app: App
    api_urls: list[str]
    workers: list[subprocess.Popen[bytes]]


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "leadport.cli.main", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def cluster(postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One deployment for the module: its tests run in order, the SIGKILL one last."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    postgres_url, drop = pg_database(postgres_admin_url)
    data = tmp_path / "shared-data"
    env = {
        **os.environ,
        **SETTINGS,
        "LEADPORT_DATABASE_URL": postgres_url,
        "LEADPORT_DATA_DIR": str(data),
    }
    app = build(
        Settings(
            data_dir=data, database_url=postgres_url, secret_key=SETTINGS["LEADPORT_SECRET_KEY"]
        )
    )
    ports = [free_port(), free_port()]
    procs = [
        _spawn(["serve", "--port", str(p)], env, tmp_path / f"api{i}.log")
        for i, p in enumerate(ports)
    ]
    workers = [_spawn(["worker"], env, tmp_path / f"worker{i}.log") for i in range(2)]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for url in urls:
            wait_for(lambda url=url: _healthy(url), timeout=60, interval=0.2)
        yield Cluster(app, urls, workers)
    finally:
        for proc in procs + workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs + workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        app.engine.dispose()
        drop()


def _status(client: httpx.Client, import_id: str) -> dict[str, Any]:
    return client.get(f"/api/v1/imports/{import_id}").json()  # type: ignore[no-any-return]


def test_twenty_overlapping_uploads_on_two_apis_and_two_workers(cluster: Cluster) -> None:
    tenant = LiveServer(cluster.api_urls[0], cluster.app, "postgres").tenant()
    clients = [
        httpx.Client(
            base_url=u, headers={"Authorization": f"Bearer {tenant.admin_key}"}, timeout=60
        )
        for u in cluster.api_urls
    ]
    clients[0].post("/api/v1/campaigns", json={"name": "Shared"})
    # File i holds leads i*50 … i*50+149: every lead is in up to three files, sent at the same moment.
    files = [
        csv_bytes(lead_rows(150, start=i * 50, domain="overlap.example.com")) for i in range(20)
    ]

    def send(i: int) -> str:
        fields = {"campaign": "Shared"} if i % 2 else {}
        r = clients[i % 2].post(
            "/api/v1/imports", files={"file": (f"part{i}.csv", files[i])}, data=fields
        )
        assert r.status_code == 202, r.text
        return str(r.json()["import_id"])

    with ThreadPoolExecutor(20) as pool:
        ids = list(pool.map(send, range(20)))
    done = wait_for(
        lambda: all(_status(clients[0], i)["state"] in ("completed", "failed") for i in ids),
        timeout=150,
        interval=0.5,
    )
    assert done
    states = [_status(clients[1], i) for i in ids]
    assert [s["state"] for s in states] == ["completed"] * 20, [s["error"] for s in states]
    assert sum(s["account"]["added"] for s in states) == 19 * 50 + 150
    with read_transaction(cluster.app.engine) as conn:
        per_email = conn.execute(
            select(leads.c.email, func.count())
            .where(leads.c.workspace_id == tenant.workspace.id)
            .group_by(leads.c.email)
        ).all()
        workers = (
            conn.execute(
                select(imports.c.worker).where(imports.c.id.in_([int(i) for i in ids])).distinct()
            )
            .scalars()
            .all()
        )
    assert len(per_email) == 19 * 50 + 150
    assert {n for _, n in per_email} == {1}
    assert len(workers) == 2
    for c in clients:
        c.close()


def test_a_worker_killed_mid_import_leaves_nothing_and_another_finishes_it(
    cluster: Cluster,
) -> None:
    tenant = LiveServer(cluster.api_urls[0], cluster.app, "postgres").tenant()
    with httpx.Client(
        base_url=cluster.api_urls[1],
        headers={"Authorization": f"Bearer {tenant.admin_key}"},
        timeout=60,
    ) as client:
        _kill_a_worker_mid_import(cluster, tenant, client)


def _kill_a_worker_mid_import(cluster: Cluster, tenant: Any, client: httpx.Client) -> None:
    rows = ROWS_TO_KILL_IN
    import_id = client.post(
        "/api/v1/imports", files={"file": ("big.csv", csv_bytes(lead_rows(rows)))}
    ).json()["import_id"]
    running = wait_for(
        lambda: (
            (
                (s := _status(client, import_id))["state"] in ("completed", "failed")
                or (s["state"] == "running" and s["rows_done"] > 0)
            )
            and s
        ),
        timeout=60,
        interval=0.05,
    )
    assert running["state"] == "running", "the import ended before a worker could be killed"
    victim_pid = int(running["worker"].rsplit(":", 1)[1])
    victim = next(p for p in cluster.workers if p.pid == victim_pid)
    os.kill(victim_pid, signal.SIGKILL)
    victim.wait(timeout=10)

    def lead_count() -> int:
        with read_transaction(cluster.app.engine) as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(leads)
                    .where(leads.c.workspace_id == tenant.workspace.id)
                ).scalar_one()
            )

    assert lead_count() == 0
    final = wait_for(
        lambda: (s := _status(client, import_id))["state"] in ("completed", "failed") and s,
        timeout=120,
        interval=0.2,
    )
    assert final["state"] == "completed", final["error"]
    assert final["account"]["added"] == rows
    assert final["worker"] != running["worker"]
    assert lead_count() == rows
    with read_transaction(cluster.app.engine) as conn:
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
    assert [n["worker"] for n in notes] == [running["worker"]]

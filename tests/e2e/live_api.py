"""The live API server used by the end-to-end tests, and what the tests share about it.

The server is real uvicorn serving real HTTP (httpx talks to it); its background parts are the
real ones: the embedded worker thread on SQLite, a procrastinate worker (in a thread of this
process) on PostgreSQL. Each test makes its own workspace, members and keys.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text

from leadport.api.app import create_app
from leadport.bootstrap import App
from leadport.db.engine import write_transaction
from leadport.domain.model import Plan, Role
from leadport.services import apikeys, directory
from leadport.services.queue import make_queue

SERVER_SETTINGS: dict[str, Any] = {
    "secret_key": "live-server-secret",
    "max_upload_bytes": 4 * 1024**2,
    "max_batch_rows": 500,
    "import_batch_size": 200,
    "job_heartbeat_seconds": 0.3,
    "job_stale_seconds": 3.0,
    "mail_retry_seconds": 0.5,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Tenant:
    """One workspace of the live server: its admin and a plain member, each with a key."""

    workspace: directory.Workspace
    admin_email: str
    admin_key: str
    member_email: str
    member_key: str
    server: LiveServer

    def client(self, key: str | None = None, *, role: str = "admin") -> httpx.Client:
        token = key or (self.admin_key if role == "admin" else self.member_key)
        return self.server.client(token)


@dataclass
class LiveServer:
    url: str
    app: App
    backend: str
    _clients: list[httpx.Client] = field(default_factory=list)

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=60)
        self._clients.append(client)
        return client

    def tenant(self, *, plan: Plan = Plan.PAID, lead_limit: int | None = None) -> Tenant:
        tag = uuid.uuid4().hex[:10]
        admin, member = f"admin-{tag}@example.com", f"member-{tag}@example.com"
        with write_transaction(self.app.engine) as conn:
            ws = directory.create_workspace(
                conn, f"ws-{tag}", plan=plan, lead_limit=lead_limit, admin_email=admin
            )
            admin_m = directory.find_member(conn, ws.id, admin)
            member_m = directory.add_member(conn, ws.id, member, Role.MEMBER)
            key_a = apikeys.create_key(
                conn, self.app.settings.secret_key, admin_m, name="admin key"
            ).secret
            key_m = apikeys.create_key(
                conn, self.app.settings.secret_key, member_m, name="member key"
            ).secret
        return Tenant(ws, admin, key_a, member, key_m, self)

    def close_clients(self) -> None:
        for c in self._clients:
            c.close()
        self._clients.clear()


def wait_for(predicate: Any, timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy; its last value, or a failure naming the wait."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(
                f"timed out after {timeout}s waiting for {getattr(predicate, '__name__', predicate)}"
            )
        time.sleep(interval)


def run_server(app: App, *, worker: bool = True) -> Iterator[str]:
    """Serve `app` on a free port in a thread (and, on PostgreSQL, run a worker beside it)."""
    queue = make_queue(app.engine, app.settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(app, queue=queue, background=worker),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    stop = threading.Event()
    worker_thread = None
    if worker and app.engine.dialect.name != "sqlite":
        from leadport.services.queue.pg import ProcrastinateQueue

        assert isinstance(queue, ProcrastinateQueue)
        worker_thread = threading.Thread(
            target=queue.run_worker, kwargs={"stop": stop}, daemon=True
        )
        worker_thread.start()
    wait_for(lambda: server.started, timeout=20)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        server.should_exit = True
        thread.join(timeout=30)
        if worker_thread is not None:
            worker_thread.join(timeout=30)


def pg_database(admin_url: str) -> tuple[str, Any]:
    name = f"lp_live_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def lead_rows(n: int, *, start: int = 0, domain: str = "example.com") -> list[dict[str, str]]:
    return [
        {
            "email": f"lead{i}@{domain}",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "company_name": "Acme",
        }
        for i in range(start, start + n)
    ]


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def cli_json(live_server: LiveServer, *args: str) -> Any:
    """`leadport ARGS… --json` as a separate process on the live server's database."""
    settings = live_server.app.settings
    env = {
        **os.environ,
        "LEADPORT_DATABASE_URL": live_server.app.engine.url.render_as_string(hide_password=False),
        "LEADPORT_DATA_DIR": str(settings.data_dir),
        "LEADPORT_SECRET_KEY": SERVER_SETTINGS["secret_key"],
    }
    proc = subprocess.run(
        [sys.executable, "-m", "leadport.cli.main", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)

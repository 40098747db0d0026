"""A live API server on a free loopback port, one per backend for the session, and tenants in it.

The server is real uvicorn serving real HTTP (httpx talks to it); its background parts are the
real ones: the embedded worker thread on SQLite, a procrastinate worker (in a thread of this
process) on PostgreSQL. Each test makes its own workspace, members and keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from live_api import SERVER_SETTINGS, LiveServer, Tenant, pg_database, run_server

from leadport.bootstrap import App, build
from leadport.config import Settings


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp(f"live-{request.param}")
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{data / 'leadport.db'}"
    else:
        url, drop = pg_database(request.getfixturevalue("postgres_admin_url"))
    app = build(Settings(data_dir=data, database_url=url, **SERVER_SETTINGS))
    served = run_server(app)
    live = LiveServer(next(served), app, request.param)
    yield live
    live.close_clients()
    next(served, None)
    app.engine.dispose()
    if drop:
        drop()


@pytest.fixture
def tenant(live_server: LiveServer) -> Tenant:
    return live_server.tenant()


@pytest.fixture
def own_server() -> Iterator[Any]:
    """Serve an App of the test's own (its own database or settings); stopped and disposed after."""
    started: list[tuple[Iterator[str], App]] = []

    def start(app: App) -> str:
        served = run_server(app)
        started.append((served, app))
        return next(served)

    yield start
    for served, app in started:
        next(served, None)
        app.engine.dispose()

"""Shared fixtures: a real database per test (SQLite file, or its own PostgreSQL database), the app
built on it, and the CLI run in-process (`cli`) or as a real process (`cli_process`)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from leadport.bootstrap import App, build
from leadport.config import Settings, get_settings

PG_ADMIN_URL = os.environ.get(
    "LEADPORT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
DATA = Path(__file__).parent / "data"


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    problem = _postgres_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is unreachable in CI: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"lp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_admin_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leadport.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """LEADPORT_* variables pointing at this test's database, also set in this process."""
    values = {
        "LEADPORT_DATABASE_URL": database_url,
        "LEADPORT_DATA_DIR": str(tmp_path / "data"),
        "LEADPORT_SECRET_KEY": "test-secret-key",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return get_settings()


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    built = build(settings)
    yield built
    built.engine.dispose()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        import json

        return json.loads(self.stdout)


class _Entry:
    """Lets click's CliRunner drive leadport.cli.main.run (our error mapping included)."""

    name = "leadport"

    def main(self, args: list[str], prog_name: str | None = None, **_: Any) -> None:
        from leadport.cli.main import run

        _dispose_cached_app()
        get_settings.cache_clear()
        sys.argv = ["leadport", *args]
        run()


@pytest.fixture
def cli(env: dict[str, str]) -> Any:
    """Run `leadport ARGS…` in this process (fast); returns exit code, stdout and stderr."""

    def invoke(*args: str | Path, input: str | None = None) -> CliResult:
        runner = CliRunner()
        result = runner.invoke(
            _Entry(), [str(a) for a in args], input=input, catch_exceptions=False
        )  # type: ignore[arg-type]
        return CliResult(result.exit_code, result.stdout, result.stderr)

    yield invoke
    _dispose_cached_app()


def _dispose_cached_app() -> None:
    """Close the pooled connections of the app a previous CLI call built, then forget it."""
    from leadport.cli import common

    if common.app_.cache_info().currsize:
        common.app_().engine.dispose()
    common.app_.cache_clear()


@pytest.fixture
def cli_process(env: dict[str, str]) -> Any:
    """Run `leadport ARGS…` as a real process, as a user's script would."""

    def run(*args: str | Path, timeout: float = 120) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "leadport.cli.main", *map(str, args)],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=timeout,
            check=False,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def write_csv(tmp_path: Path) -> Any:
    """Write a small CSV (text as given) into the test's folder and return its path."""

    def write(text_: str, name: str = "leads.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text_.encode(encoding))
        return path

    return write

"""The import's guarantees: atomic under SIGKILL, safe under concurrency, dry run == real run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.integration.snapshots import snapshot

HEADER = "First Name,Email,LinkedIn\n"


def lead_file(path: Path, start: int, count: int) -> Path:
    lines = [HEADER] + [
        f"P{i},p{i}@x.com,https://www.linkedin.com/in/p{i}\n" for i in range(start, start + count)
    ]
    path.write_text("".join(lines))
    return path


def leadport_process(env: dict[str, str], *args: str, **extra_env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "leadport.cli.main", *args],
        env={**os.environ, **env, **extra_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_a_process_killed_mid_import_leaves_the_database_exactly_as_before(
    cli, env, database_url, tmp_path
):
    cli("campaign", "create", "C")
    cli("import", lead_file(tmp_path / "first.csv", 0, 20), "--campaign", "C")
    before = snapshot(database_url)
    marker = tmp_path / "paused"
    proc = leadport_process(
        env,
        "import",
        str(lead_file(tmp_path / "big.csv", 10, 400)),
        "--campaign",
        "C",
        "--overwrite",
        LEADPORT_IMPORT_BATCH_SIZE="50",
        LEADPORT_CRASH_POINT="import-batch",
        LEADPORT_CRASH_MARKER=str(marker),
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the import ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, "the import never reached its first batch"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert snapshot(database_url) == before
    again = cli("import", tmp_path / "big.csv", "--campaign", "C", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["account"] == {"added": 390, "modified": 10, "rejected": 0}


@pytest.mark.slow
def test_concurrent_overlapping_imports_never_create_two_leads_for_one_identifier(
    cli, env, database_url, tmp_path
):
    cli("campaign", "create", "C")
    files = [lead_file(tmp_path / f"f{i}.csv", i * 150, 400) for i in range(4)]
    procs = [leadport_process(env, "import", str(f), "--campaign", "C", "--json") for f in files]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outputs]
    import json

    reports = [json.loads(out) for out, _ in outputs]
    engine = create_engine(database_url)
    with engine.connect() as conn:
        leads = conn.execute(
            text("SELECT count(*), count(DISTINCT email), count(DISTINCT linkedin_key) FROM leads")
        ).one()
        members = conn.execute(
            text("SELECT count(*), count(DISTINCT lead_id) FROM campaign_leads")
        ).one()
    engine.dispose()
    distinct_people = 3 * 150 + 400
    assert tuple(leads) == (distinct_people, distinct_people, distinct_people)
    assert sum(r["account"]["added"] for r in reports) == distinct_people
    assert sum(r["account"]["modified"] for r in reports) == 4 * 400 - distinct_people
    assert tuple(members) == (distinct_people, distinct_people)


def test_a_dry_run_gives_the_real_report_and_writes_nothing(cli, database_url, write_csv):
    cli("campaign", "create", "C")
    cli("import", write_csv("Email,First Name\nold@x.com,Old\n", "seed.csv"), "--campaign", "C")
    path = write_csv(
        "Email,First Name,Company\nold@x.com,New,Acme\nnew@x.com,N,\nbad@,B,\nnew@x.com,dup,\n"
    )
    before = snapshot(database_url)
    dry = cli("import", path, "--campaign", "C", "--overwrite", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert snapshot(database_url) == before
    real = cli("import", path, "--campaign", "C", "--overwrite", "--json")
    dry_report, real_report = dry.json(), real.json()
    assert dry_report.pop("dry_run") is True
    assert real_report.pop("dry_run") is False
    # Ids come from the database: PostgreSQL's sequences do not roll back, so the ids a dry run
    # shows for new things may differ from the real run's. Everything else is identical.
    for report in (dry_report, real_report):
        report.pop("import_id")
        for row in report["rows"]:
            if row["code"] == "added":
                row["lead_id"] = "new"
    assert dry_report == real_report
    assert real_report["rows"][0]["detail"]["changes"]["first_name"] == {"old": "Old", "new": "New"}


def test_an_import_leaves_no_writing_thread_behind(cli, write_csv, monkeypatch):
    """The background writes of an import run on one thread, stopped when the import ends
    (a server runs many imports in one process)."""
    monkeypatch.setenv("LEADPORT_IMPORT_BATCH_SIZE", "7")
    path = write_csv("Email\n" + "".join(f"p{i}@x.com\n" for i in range(50)))

    def writers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "leadport-import-writes"]

    assert writers() == []
    report = cli("import", path, "--json")
    assert report.exit_code == 0, report.stderr
    assert report.json()["account"]["added"] == 50
    assert writers() == []

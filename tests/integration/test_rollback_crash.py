"""A rollback is atomic: a process killed in the middle of one leaves the database as before."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.integration.rollback_helpers import add_activity, import_id
from tests.integration.snapshots import snapshot
from tests.integration.test_import_guarantees import lead_file, leadport_process


@pytest.mark.slow
def test_a_process_killed_mid_rollback_leaves_the_database_exactly_as_before(
    cli, env, database_url, tmp_path, write_csv
):
    cli("campaign", "create", "C")
    cli("import", write_csv("Email,Title\np1@x.com,Engineer\n", "seed.csv"))
    path = lead_file(tmp_path / "big.csv", 0, 300)
    target = import_id(cli("import", path, "--campaign", "C", "--overwrite", "--json"))
    add_activity(database_url, "p2@x.com", "C", "sent", "replied")
    before = snapshot(database_url)
    marker = tmp_path / "paused"

    proc = leadport_process(
        env,
        "rollback",
        target,
        "--yes",
        LEADPORT_CRASH_POINT="rollback",
        LEADPORT_CRASH_MARKER=str(marker),
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the rollback ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, "the rollback never reached its crash point"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()

    backups = tmp_path / "data" / "backups"
    assert snapshot(database_url) == before
    assert not list(backups.glob("*.csv"))
    again = cli("rollback", target, "--yes", "--json")
    assert again.exit_code == 0, again.stderr
    assert (again.json()["memberships"], again.json()["leads_deleted"]) == (300, 299)
    # the killed rollback's half-written temporary file is gone too
    assert sorted(p.name for p in backups.iterdir()) == [Path(again.json()["backup_file"]).name]

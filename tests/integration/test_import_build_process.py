"""Big files are read and built in a forked child process: same report, same refusals, no orphan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from leadport.services.build_process import child_worth_it, fork_pays_here
from tests.integration.snapshots import snapshot

CHILD = "import-build-child"


def messy_file(path: Path, rows: int) -> Path:
    """Every kind of row the child hands over: valid, re-listed, invalid, LinkedIn-only, no
    identifier, ragged, warnings (odd phone, unknown LinkedIn URL), custom fields and tags."""
    lines = ["First Name,Last Name,Email,Phone,LinkedIn,Company,Tags,Favourite Colour"]
    for i in range(rows):
        kind = i % 9
        if kind == 0:
            lines.append(
                f"Ann{i},Lee,ann{i}@acme.com,+44 20 7946 {i % 10000:04d},,Acme Ltd,a;b,red"
            )
        elif kind == 1:
            lines.append(f"Re{i},Listed, ANN{i - 1}@Acme.com ,,,,,")
        elif kind == 2:
            lines.append(f"Bad{i},Mail,not-an-email{i},,,,,")
        elif kind == 3:
            lines.append(f"Li{i},Only,,,https://linkedin.com/in/li-{i}/,,vip,")
        elif kind == 4:
            lines.append(f"No{i},Identifier,,,,Nobody Inc,,blue")
        elif kind == 5:
            lines.append(f"Short{i},Row,short{i}@x.org")
        elif kind == 6:
            lines.append(f"Odd{i},Phone,odd{i}@x.org,call me maybe,,,,")
        elif kind == 7:
            lines.append(f"Url{i},Odd,url{i}@x.org,,https://example.com/profile/{i},,,")
        else:
            lines.append(f"Zoë{i},Ünal,zoe{i}@exämple.com,0049 30 1234567,,Ünal GmbH,,green")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leadport.cli.main", *args],
        env={**os.environ, **env, **extra},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def child_env(marker: Path, **more: str) -> dict[str, str]:
    """Build in a child whatever the file's size; the child writes its pid to `marker`."""
    return {
        "LEADPORT_IMPORT_BUILD_PROCESS_MIN_BYTES": "1",
        "LEADPORT_IMPORT_BATCH_SIZE": "37",
        "LEADPORT_CRASH_POINT": CHILD,
        "LEADPORT_CRASH_MARKER": str(marker),
        "LEADPORT_CRASH_WAIT": "0",
        **more,
    }


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """Ids of new leads come from PostgreSQL sequences, which dry runs advance: set them aside."""
    report = dict(report)
    report.pop("import_id")
    for row in report["rows"]:
        if row["code"] == "added":
            row["lead_id"] = "new"
    return report


@pytest.mark.slow
def test_rows_built_in_a_child_process_give_the_report_built_in_process(
    cli, env, database_url, tmp_path
):
    cli("campaign", "create", "C")
    cli("import", messy_file(tmp_path / "seed.csv", 90), "--campaign", "C")
    path = messy_file(tmp_path / "leads.csv", 1000)
    args = ("import", str(path), "--campaign", "C", "--overwrite", "--dry-run", "--json")
    marker = tmp_path / "child.pid"
    in_child = run(env, *args, **child_env(marker))
    assert in_child.returncode == 0, in_child.stderr
    assert int(marker.read_text()) > 0
    in_process = run(
        env, *args, LEADPORT_IMPORT_BUILD_PROCESS_MIN_BYTES="0", LEADPORT_IMPORT_BATCH_SIZE="37"
    )
    assert in_process.returncode == 0, in_process.stderr
    report = json.loads(in_child.stdout)
    assert comparable(report) == comparable(json.loads(in_process.stdout))
    assert report["rows_read"] == 1000
    assert {"added", "modified", "duplicate_in_file", "invalid_email", "missing_identifier"} <= set(
        report["codes"]
    )


@pytest.mark.slow
def test_the_child_really_is_another_process(env, tmp_path):
    marker = tmp_path / "child.pid"
    done = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leadport.cli.main",
            "import",
            str(messy_file(tmp_path / "l.csv", 50)),
        ],
        env={**os.environ, **env, **child_env(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert int(marker.read_text()) != done.pid


@pytest.mark.slow
def test_a_refusal_met_by_the_child_is_reported_and_writes_nothing(
    cli, env, database_url, tmp_path
):
    cli("campaign", "create", "C")
    path = messy_file(tmp_path / "leads.csv", 600)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"Long,Cell,long@x.org,,,,,{'x' * 500}\n")
    before = snapshot(database_url)
    marker = tmp_path / "child.pid"
    done = run(
        env,
        "import",
        str(path),
        "--campaign",
        "C",
        **child_env(marker, LEADPORT_MAX_CELL_CHARS="100"),
    )
    assert marker.exists()
    assert done.returncode == 1
    assert "row 602" in done.stderr, done.stderr  # the 601st record, under the header (row 1)
    assert "Favourite Colour" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(database_url) == before


@pytest.mark.slow
def test_killing_the_import_leaves_no_child_behind(env, tmp_path):
    marker = tmp_path / "child.pid"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leadport.cli.main",
            "import",
            str(messy_file(tmp_path / "l.csv", 3000)),
        ],
        env={**os.environ, **env, **child_env(marker, LEADPORT_CRASH_WAIT="3")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() or not marker.read_text():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child = int(marker.read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    # The child, paused for 3 s at its first step, finds the pipe closed when it goes on.
    deadline = time.monotonic() + 30
    while _alive(child):
        assert time.monotonic() < deadline, f"child {child} outlived the import"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its dead parent's reaper."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_only_big_files_go_to_a_child():
    assert not child_worth_it(None, 1)  # an API batch: no file
    assert not child_worth_it(10_000_000, 0)  # turned off
    assert not child_worth_it(1_000, 8 * 1024**2)
    assert child_worth_it(8 * 1024**2, 8 * 1024**2) == fork_pays_here()


def test_no_fork_while_another_thread_runs():
    """A thread may hold a lock (a pool's, logging's) that the child would inherit locked."""
    stop = threading.Event()
    extra = [threading.Thread(target=stop.wait) for _ in range(2)]
    for t in extra:
        t.start()
    try:
        assert not fork_pays_here()
        assert not child_worth_it(10**9, 1)
    finally:
        stop.set()
        for t in extra:
            t.join()

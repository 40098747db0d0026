"""Sustained small-batch imports through the REST API: batches per second and latency.

For SQLite and PostgreSQL, start `leadport serve` (a real process, on a fresh database), then let
1 and then 4 clients (threads, one HTTP connection each) send 100-row batches
(`POST /api/v1/imports/batch`, each with its own Idempotency-Key) back to back for a fixed time
into one workspace. Rows are realistic (benchmarks/generate_leads.py: mostly new people, about
3% listed again, 1% invalid emails). Reported: batches and rows per second over the run, and p50/p99 latency.

    uv run python benchmarks/bench_api.py [--seconds 20] [--write-docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_leads

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
SECTION = "## API: sustained 100-row batch imports"
DOCS_INTRO = "# Performance\n\nMeasured figures, each section with the command that produces it.\n"
PG_ADMIN = os.environ.get(
    "LEADPORT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BATCH = 100
KEYS = [
    "first_name",
    "last_name",
    "email",
    "company_name",
    "job_title",
    "phone",
    "linkedin_url",
    "city",
    "notes",
]


@dataclass
class Result:
    backend: str
    clients: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def batches_per_s(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Batches made for each second of a run: above the fastest rate measured (≈ 60 a second).
BATCHES_PER_SECOND = 150


def batches(seed: int, count: int) -> list[list[dict[str, str]]]:
    """`count` realistic 100-row batches, every row a person not seen before."""
    rows = generate_leads.generate(count * BATCH, seed)
    out: list[list[dict[str, str]]] = []
    batch: list[dict[str, str]] = []
    for cells in rows:
        batch.append(dict(zip(KEYS, cells, strict=False)))
        if len(batch) == BATCH:
            out.append(batch)
            batch = []
    return out


class Server:
    """`leadport serve` on a fresh database, with an admin key made by `leadport apikey create`."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend, self.tmp, self.port = backend, tmp, free_port()
        self.db_name = f"lp_bench_{uuid.uuid4().hex[:8]}"
        if backend == "sqlite":
            url = f"sqlite:///{tmp / 'bench.db'}"
        else:
            with create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
            url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{self.db_name}"
        self.env = {
            **os.environ,
            "LEADPORT_DATABASE_URL": url,
            "LEADPORT_DATA_DIR": str(tmp / "data"),
            "LEADPORT_SECRET_KEY": "bench-secret",
        }
        cli = [sys.executable, "-m", "leadport.cli.main"]
        made = subprocess.run(
            [*cli, "apikey", "create", "--name", "bench"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.key = made.stdout.strip()
        self.proc = subprocess.Popen(
            [*cli, "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("leadport serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        if self.backend == "postgres":
            with create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))


def run(server: Server, clients: int, seconds: float, work: list[list[dict[str, str]]]) -> Result:
    """Clients send batches back to back until `seconds` pass; each batch is used once."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=120
        ) as http:
            while time.monotonic() < stop_at:
                with lock:
                    if not work:
                        return
                    rows = work.pop()
                started = time.perf_counter()
                r = http.post(
                    "/api/v1/imports/batch",
                    json={"rows": rows},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                elapsed = time.perf_counter() - started
                with lock:
                    if r.status_code == 201:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not work:
        print(
            f"warning: the batches ran out before {seconds:.0f} s; the rates are over "
            f"{time.monotonic() - began:.1f} s",
            file=sys.stderr,
        )
    return Result(server.backend, clients, time.monotonic() - began, latencies, errors[0])


def table(results: list[Result]) -> str:
    lines = [
        "| database | clients | batches/s | rows/s | p50 ms | p99 ms | batches | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.backend} | {r.clients} | {r.batches_per_s:.1f} | {r.batches_per_s * BATCH:.0f} | "
            f"{r.pct(0.50):.0f} | {r.pct(0.99):.0f} | {len(r.latencies)} | {r.errors} |"
        )
    return "\n".join(lines)


def section(results: list[Result], seconds: float) -> str:
    return "\n".join(
        [
            SECTION,
            "",
            f"{dt.date.today().isoformat()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}.",
            "",
            f"`leadport serve` (one process) on a fresh database; 1 and then 4 clients (threads in the benchmark "
            f"process, one keep-alive HTTP connection each) send 100-row batches back to back for {seconds:.0f} s, "
            "each with its own Idempotency-Key, into one workspace. Rows come from `benchmarks/generate_leads.py` "
            "(mostly new people, ~3% listed again, ~1% invalid emails). Latency is the "
            "client's, request sent to report received; every batch returns its full report.",
            "",
            table(results),
            "",
            "Batches into one workspace run one at a time by design (SQLite has one writer; PostgreSQL takes a "
            "per-workspace lock so that no identifier is ever held by two leads): more clients raise latency, "
            "not throughput. Throughput across workspaces scales with API processes on PostgreSQL.",
            "",
            f"Reproduce: `uv run python benchmarks/bench_api.py --seconds {seconds:.0f} --write-docs`",
            "",
        ]
    )


def write_docs(text_: str) -> None:
    """Replace only this section; the other sections of the file are kept as they are on disk now."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else DOCS_INTRO
    start = current.find(SECTION + "\n")
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text_
    else:
        nxt = re.compile(r"^## ", re.M).search(current, start + len(SECTION))
        updated = current[:start] + text_ + ("\n" + current[nxt.start() :] if nxt else "")
    DOCS.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    results = []
    for backend in args.backends:
        for clients in (1, 4):
            with tempfile.TemporaryDirectory() as tmp:
                server = Server(backend, Path(tmp))
                try:
                    work = batches(7 + clients, int((args.seconds + 2) * BATCHES_PER_SECOND))
                    run(server, 1, 2.0, work)  # warm-up: connections, caches
                    results.append(run(server, clients, args.seconds, work))
                finally:
                    server.stop()
            print(table(results[-1:]).splitlines()[-1], flush=True)
    print(table(results))
    if args.write_docs:
        write_docs(section(results, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())

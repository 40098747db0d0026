"""Time `leadport import` against the database's own bulk load of the same file (the floor).

For each size: generate the file (cached in benchmarks/out/), then on SQLite and on PostgreSQL
measure, each in its own child process and on a fresh database, the wall time and the child's peak
RSS of the floor and of `leadport import FILE --campaign Bench --policy active`.

    uv run python benchmarks/run_import_bench.py --rows 100000 1000000 [--write-docs]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_leads

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Import: 1M rows vs the database floor"
DOCS_INTRO = "# Performance\n\nMeasured figures, each section with the command that produces it.\n"
LEADPORT = [sys.executable, "-m", "leadport.cli.main"]
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)
COLUMNS = [
    "first_name",
    "last_name",
    "email",
    "company",
    "title",
    "phone",
    "linkedin_url",
    "city",
    "notes",
]
COLUMN_DDL = ", ".join(f"{c} TEXT" for c in COLUMNS)
MERGE_SELECT = ", ".join("NULLIF(email, '')" if c == "email" else c for c in COLUMNS)
SUMMARY = re.compile(r"(\d+) rows read, (\d+) added, (\d+) modified, (\d+) rejected")

TIME_RATIO_TARGET = 4.0
PEAK_TARGET_MB = 400.0
PEAK_GROWTH_TARGET = 1.20


@dataclass
class Run:
    """One measured child process."""

    seconds: float
    peak_mb: float  # see measure(), in MB of 10^6 bytes
    returncode: int
    stdout: str
    stderr: str
    load: float  # the 1-minute load average, the higher of before and after

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        lines = [ln for ln in (self.stderr or self.stdout).strip().splitlines() if ln.strip()]
        return f"exit {self.returncode}: {lines[-1] if lines else 'no output'}"


@dataclass
class Pair:
    backend: str
    rows: int
    floor: Run
    leadport: Run | None
    floor_kept: int | None = None
    note: str = ""
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def load(self) -> float:
        return max(r.load for r in (self.floor, self.leadport) if r is not None)

    @property
    def ratio(self) -> float | None:
        if self.leadport is None or not self.leadport.ok or not self.floor.ok:
            return None
        return self.leadport.seconds / self.floor.seconds


# How often the memory of a running command is sampled (see `measure`); an import's memory is
# flat while it runs, its batches all the same size.
SAMPLE_SECONDS = 0.25


def measure(cmd: list[str], env: dict[str, str] | None = None, stdin: Path | None = None) -> Run:
    """Run one command under GNU time; its peak memory counts every process it starts.

    GNU time gives the largest single process's peak RSS (ru_maxrss; not this process's own
    wait4/RUSAGE_CHILDREN: Linux keeps ru_maxrss across exec, so a child forked from this Python
    process would start with this process's size as its peak). leadport may fork a second
    process to read a big file, so the memory of the whole process tree is also sampled every
    `SAMPLE_SECONDS`: the sum of each process's PSS (its RSS with every page it shares with others counted
    as its share), which is the memory the processes hold together; pages shared after the fork
    (copy-on-write) are counted once, not once per process. The peak reported is the larger of
    the two.

    Sampling is not free: the kernel walks a process's pages for each `smaps_rollup` read
    (≈ 2.6 ms of CPU for a 240 MB import), which every 50 ms took ≈ 10% of a core from an
    import that keeps both cores busy, and nothing from the single-threaded floor.
    """
    with tempfile.TemporaryDirectory() as name:
        out, err, rss = (Path(name) / n for n in ("out", "err", "rss"))
        with (
            out.open("wb") as o,
            err.open("wb") as e,
            stdin.open("rb") if stdin else open(os.devnull, "rb") as i,
        ):
            load = os.getloadavg()[0]
            start = time.perf_counter()
            proc = subprocess.Popen(
                [TIME, "-f", "%M", "-o", str(rss), *cmd],
                stdin=i,
                stdout=o,
                stderr=e,
                env=env,
                cwd=ROOT,
            )
            tree_peak = 0
            while proc.poll() is None:
                tree_peak = max(tree_peak, _tree_rss_bytes(proc.pid))
                time.sleep(SAMPLE_SECONDS)
            seconds = time.perf_counter() - start
        peak_kib = (
            int(rss.read_text().split()[-1]) if rss.exists() and rss.read_text().strip() else 0
        )
        return Run(
            seconds,
            max(peak_kib * 1024, tree_peak) / 1e6,
            proc.returncode,
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
            max(load, os.getloadavg()[0]),
        )


def _tree_rss_bytes(root: int) -> int:
    """The summed PSS of the processes under `root` (GNU time itself excluded); RSS where the
    kernel gives no PSS (/proc/PID/smaps_rollup, Linux 4.14 and later)."""
    total, todo = 0, _children(root)
    while todo:
        pid = todo.pop()
        total += _memory_bytes(pid)
        todo.extend(_children(pid))
    return total


def _children(pid: int) -> list[int]:
    """A process's children, from its threads' `children` lists (Linux 3.5 and later): no walk
    of every process on the machine."""
    found: list[int] = []
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                found += map(int, Path(f"{task.path}/children").read_text().split())
    except OSError:
        pass
    return found


def _memory_bytes(pid: int) -> int:
    """One process's PSS, else its RSS; 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def check(cmd: list[str], env: dict[str, str] | None = None) -> str:
    """An unmeasured setup step; its failure stops the run with the command's own message."""
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
    return done.stdout


def lead_file(rows: int, seed: int) -> Path:
    """The generated file, cached under a name that changes when the generator does."""
    version = hashlib.sha256(Path(generate_leads.__file__).read_bytes()).hexdigest()[:8]
    path = OUT / f"leads-{rows}-seed{seed}-{version}.csv"
    if not path.exists():
        print(f"generating {path.name} ...", file=sys.stderr, flush=True)
        generate_leads.write_csv(path, rows, seed)
    return path


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_floor(csv_path: Path, tmp: Path) -> tuple[Run, int | None]:
    """sqlite3 CLI: .import into a staging table, then INSERT OR IGNORE under the unique index."""
    db = tmp / "floor.db"
    check(
        [
            "sqlite3",
            str(db),
            f"CREATE TABLE leads ({COLUMN_DDL}); "
            "CREATE UNIQUE INDEX leads_email ON leads (lower(trim(email)));",
        ]
    )
    script = tmp / "floor.sql"
    script.write_text(
        f"CREATE TABLE staging ({COLUMN_DDL});\n"
        f".import --csv --skip 1 '{csv_path}' staging\n"
        f"INSERT OR IGNORE INTO leads SELECT {MERGE_SELECT} FROM staging;\n"
    )
    run = measure(["sqlite3", "-bail", str(db)], stdin=script)
    kept = (
        int(check(["sqlite3", str(db), "SELECT count(*) FROM leads"]).strip()) if run.ok else None
    )
    return run, kept


def leadport_env(url: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPORT_")}
    env.update(LEADPORT_DATABASE_URL=url, LEADPORT_DATA_DIR=str(tmp / "data"))
    return env


def leadport_import(csv_path: Path, env: dict[str, str]) -> Run:
    """`campaign create` first (not timed), then the timed import with policy `active`."""
    setup = measure([*LEADPORT, "campaign", "create", "Bench"], env=env)
    if not setup.ok:
        return setup
    return measure(
        [*LEADPORT, "import", str(csv_path), "--campaign", "Bench", "--policy", "active"], env=env
    )


def bench_sqlite(csv_path: Path, rows: int, with_leadport: bool) -> Pair:
    with tempfile.TemporaryDirectory(prefix="leadport-bench-") as name:
        tmp = Path(name)
        floor, kept = sqlite_floor(csv_path, tmp)
        lp = (
            leadport_import(csv_path, leadport_env(f"sqlite:///{tmp / 'bench.db'}", tmp))
            if with_leadport
            else None
        )
        return finish(Pair("SQLite", rows, floor, lp, kept))


# --- PostgreSQL -------------------------------------------------------------------------------


class Postgres:
    """A fresh database per measurement on the server at `url`, dropped afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def psql(self, db: str, *args: str) -> list[str]:
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", f"{self.url}/{db}", *args]

    def create(self) -> str:
        db = f"leadport_bench_{uuid.uuid4().hex[:10]}"
        check(self.psql("postgres", "-c", f"CREATE DATABASE {db}"))
        return db

    def drop(self, db: str) -> None:
        subprocess.run(
            self.psql("postgres", "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            capture_output=True,
            check=False,
        )

    def version(self) -> str:
        done = subprocess.run(
            self.psql("postgres", "-tAc", "SHOW server_version"), capture_output=True, text=True
        )
        return (
            done.stdout.strip().split()[0] if done.returncode == 0 and done.stdout.strip() else ""
        )


def postgres_floor(pg: Postgres, csv_path: Path, tmp: Path) -> tuple[Run, int | None]:
    """psql: \\copy into a temporary staging table, then one INSERT … ON CONFLICT DO NOTHING."""
    db = pg.create()
    try:
        check(
            pg.psql(
                db,
                "-c",
                f"CREATE TABLE leads ({COLUMN_DDL}); "
                "CREATE UNIQUE INDEX leads_email ON leads ((lower(trim(email))));",
            )
        )
        script = tmp / "floor_pg.sql"
        script.write_text(
            f"CREATE TEMP TABLE staging ({COLUMN_DDL});\n"
            f"\\copy staging FROM '{csv_path}' CSV HEADER\n"
            f"INSERT INTO leads SELECT {MERGE_SELECT} FROM staging "
            "ON CONFLICT ((lower(trim(email)))) DO NOTHING;\n"
        )
        run = measure(pg.psql(db, "-1", "-f", str(script)))
        kept = (
            int(check(pg.psql(db, "-tAc", "SELECT count(*) FROM leads")).strip())
            if run.ok
            else None
        )
        return run, kept
    finally:
        pg.drop(db)


def bench_postgres(pg: Postgres, csv_path: Path, rows: int, with_leadport: bool) -> Pair:
    with tempfile.TemporaryDirectory(prefix="leadport-bench-") as name:
        tmp = Path(name)
        floor, kept = postgres_floor(pg, csv_path, tmp)
        lp = None
        if with_leadport:
            db = pg.create()
            try:
                url = f"{pg.url.replace('postgresql://', 'postgresql+psycopg://', 1)}/{db}"
                lp = leadport_import(csv_path, leadport_env(url, tmp))
            finally:
                pg.drop(db)
        return finish(Pair("PostgreSQL", rows, floor, lp, kept))


# --- Results ----------------------------------------------------------------------------------


def finish(pair: Pair) -> Pair:
    """Read leadport's summary line and note anything that makes the figure not comparable."""
    lp = pair.leadport
    if not pair.floor.ok:
        pair.note = f"floor failed, {pair.floor.failure()}"
    elif lp is None:
        pair.note = "leadport not run"
    elif not lp.ok:
        pair.note = f"leadport failed, {lp.failure()}"
    elif m := SUMMARY.search(lp.stdout):
        pair.summary = dict(
            zip(["read", "added", "modified", "rejected"], map(int, m.groups()), strict=True)
        )
        if pair.summary["read"] != pair.rows:
            pair.note = f"leadport read {pair.summary['read']} rows of {pair.rows}"
    else:
        pair.note = "no summary line in leadport's output"
    return pair


def fmt_s(run: Run | None) -> str:
    return f"{run.seconds:.1f} s" if run and run.ok else "—"


def fmt_mb(run: Run | None) -> str:
    return f"{run.peak_mb:.0f} MB" if run and run.ok else "—"


def table(pairs: list[Pair]) -> str:
    lines = [
        "| Backend | Rows | leadport | Floor | Ratio | leadport peak RSS | Floor peak RSS | leadport: added / rejected | Floor: rows kept | Load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in pairs:
        ratio = f"{p.ratio:.2f}×" if p.ratio is not None else "—"
        counts = f"{p.summary['added']:,} / {p.summary['rejected']:,}" if p.summary else "—"
        kept = f"{p.floor_kept:,}" if p.floor_kept is not None else "—"
        lines.append(
            f"| {p.backend} | {p.rows:,} | {fmt_s(p.leadport)} | {fmt_s(p.floor)} | {ratio} | "
            f"{fmt_mb(p.leadport)} | {fmt_mb(p.floor)} | {counts} | {kept} | {p.load:.1f} |"
        )
    notes = [f"- {p.backend} {p.rows:,}: {p.note}" for p in pairs if p.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def verdicts(pairs: list[Pair]) -> list[str]:
    """The issue's targets, judged on the largest size measured (growth: largest vs smallest)."""
    out = []
    for backend in ("SQLite", "PostgreSQL"):
        runs = sorted((p for p in pairs if p.backend == backend), key=lambda p: p.rows)
        if not runs:
            continue
        big = runs[-1]
        if big.ratio is None:
            out.append(f"- {backend} {big.rows:,}: no leadport figure ({big.note}).")
            continue
        out.append(
            _verdict(
                f"{backend} {big.rows:,} rows: time ≤ {TIME_RATIO_TARGET:g}× the floor",
                big.ratio <= TIME_RATIO_TARGET,
                f"{big.ratio:.2f}×",
            )
        )
        if backend != "SQLite":
            continue
        peak = big.leadport.peak_mb  # type: ignore[union-attr]
        out.append(
            _verdict(
                f"SQLite {big.rows:,} rows: peak RSS ≤ {PEAK_TARGET_MB:g} MB",
                peak <= PEAK_TARGET_MB,
                f"{peak:.0f} MB",
            )
        )
        small = runs[0]
        if small is not big and small.ratio is not None:
            growth = peak / small.leadport.peak_mb  # type: ignore[union-attr]
            out.append(
                _verdict(
                    f"SQLite peak RSS {big.rows:,} vs {small.rows:,} rows within "
                    f"{(PEAK_GROWTH_TARGET - 1) * 100:.0f}%",
                    growth <= PEAK_GROWTH_TARGET,
                    f"{growth:.2f}×",
                )
            )
    return out


def _verdict(target: str, held: bool, figure: str) -> str:
    return f"- {target}: {'holds' if held else 'MISSED'} ({figure})"


def machine(pg: Postgres | None) -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    sqlite_v = check(["sqlite3", "-version"]).split()[0]
    pg_v = pg.version() if pg else ""
    return (
        f"{os.cpu_count()} cores / {mem:.0f} GiB, {platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, sqlite3 CLI {sqlite_v}"
        + (f", PostgreSQL {pg_v}" if pg_v else "")
    )


# --- docs/performance.md ----------------------------------------------------------------------


def section(
    pairs: list[Pair], verdict_lines: list[str], argv: list[str], pg: Postgres | None
) -> str:
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {dt.date.today().isoformat()} on {machine(pg)}.",
            "",
            "`leadport import FILE --campaign Bench --policy active` on a fresh database (the campaign is "
            "created first, untimed) against the floor: the same file loaded by the database's own tools "
            "into a table with a unique index on `lower(trim(email))`, with no rules at all. SQLite floor: "
            "the `sqlite3` CLI, `.import --csv` into a staging table then `INSERT OR IGNORE` into the "
            "indexed table. PostgreSQL floor: `psql`, `\\copy` into a temporary staging table then "
            "`INSERT … ON CONFLICT ((lower(trim(email)))) DO NOTHING`, in one transaction. Wall time of the "
            "whole command (leadport's includes interpreter start-up). Peak RSS: of the command's "
            "processes together (a big file is read by a second, forked process): the larger of GNU "
            "`time`'s %M (the largest single process) and the summed PSS of the process tree sampled "
            f"every {SAMPLE_SECONDS * 1000:.0f} ms (pages the processes share after the fork "
            "counted once); for PostgreSQL "
            "this is the client, not the server. Load: the highest "
            f"1-minute load average seen at the start or end of the pair's runs; the machine has "
            f"{os.cpu_count()} cores and is shared, so a load above that means other work ran alongside.",
            "",
            "Input: `benchmarks/generate_leads.py` (seeded; 9 columns; ~3% re-listed people in case/space "
            "variants, ~1% invalid emails, ~1% LinkedIn-only rows, LinkedIn URL variants, national phone "
            "formats, non-ASCII names).",
            "",
            table(pairs),
            "",
            "Targets (issue 3):",
            "",
            *verdict_lines,
            "",
            f"Reproduce: `uv run python benchmarks/run_import_bench.py {' '.join(a for a in argv if a != '--write-docs')}`",
            "",
        ]
    )


def write_docs(text: str) -> None:
    """Replace only this benchmark's section; others' sections are kept as they are on disk now."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else DOCS_INTRO
    start = current.find(SECTION + "\n")
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        nxt = re.compile(r"^## ", re.M).search(current, start + len(SECTION))
        end = nxt.start() if nxt else len(current)
        updated = current[:start] + text + ("\n" + current[end:] if nxt else "")
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


# --- main -------------------------------------------------------------------------------------


def leadport_works() -> str:
    """Empty when `leadport --help` runs; else why not, so the floors can still be measured."""
    run = measure([*LEADPORT, "--help"])
    return "" if run.ok else run.failure()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--backend", choices=["sqlite", "postgres"], nargs="+", default=["sqlite", "postgres"]
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432"),
        help="server to create the throw-away databases on (default: %(default)s)",
    )
    parser.add_argument("--floor-only", action="store_true", help="measure the floors only")
    parser.add_argument(
        "--write-docs", action="store_true", help=f"update '{SECTION}' in docs/performance.md"
    )
    args = parser.parse_args(argv)
    for tool in [TIME, "sqlite3"] + (["psql"] if "postgres" in args.backend else []):
        if not shutil.which(tool):
            parser.error(
                f"{tool} is missing; install it (Debian: apt-get install time sqlite3 postgresql-client)."
            )
    with_leadport = not args.floor_only
    if with_leadport and (why := leadport_works()):
        print(f"leadport does not run ({why}); measuring the floors only.", file=sys.stderr)
        with_leadport = False
    pg = Postgres(args.pg_url) if "postgres" in args.backend else None
    pairs = []
    for rows in sorted(args.rows):
        path = lead_file(rows, args.seed)
        for backend in args.backend:
            print(f"{backend} {rows:,} rows ...", file=sys.stderr, flush=True)
            pair = (
                bench_sqlite(path, rows, with_leadport)
                if backend == "sqlite"
                else bench_postgres(pg, path, rows, with_leadport)
            )  # type: ignore[arg-type]
            pairs.append(pair)
    verdict_lines = verdicts(pairs)
    print(table(pairs))
    print()
    print("\n".join(verdict_lines))
    if args.write_docs:
        write_docs(section(pairs, verdict_lines, argv, pg))
        print(f"\nupdated {DOCS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time `leadport rollback ID --yes` against the `leadport import` it undoes, in one run.

Generate the file (cached in benchmarks/out/), import it into a campaign with policy `active` on
a fresh SQLite database, then roll that import back; each command in its own child process,
with its wall time and peak RSS. Goal: the rollback takes at most as long as the import.

    uv run python benchmarks/run_rollback_bench.py --rows 1000000 [--write-docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_import_bench as bench

SECTION = "## Rollback: undoing an import against importing it"
IMPORTED = re.compile(r"Import (\d+) completed: (\d+) rows read, (\d+) added")


def run(rows: int, seed: int) -> dict[str, object]:
    path = bench.lead_file(rows, seed)
    with tempfile.TemporaryDirectory(prefix="leadport-rollback-bench-") as name:
        tmp = Path(name)
        env = bench.leadport_env(f"sqlite:///{tmp / 'bench.db'}", tmp)
        bench.check([*bench.LEADPORT, "campaign", "create", "Bench"], env=env)
        imported = bench.measure(
            [*bench.LEADPORT, "import", str(path), "--campaign", "Bench", "--policy", "active"],
            env=env,
        )
        found = IMPORTED.search(imported.stdout)
        if not imported.ok or not found:
            raise SystemExit(f"the import failed: {imported.failure()}")
        rolled = bench.measure(
            [*bench.LEADPORT, "rollback", found.group(1), "--yes", "--json"], env=env
        )
        if not rolled.ok:
            raise SystemExit(f"the rollback failed: {rolled.failure()}")
        report = json.loads(rolled.stdout)
        backup = Path(report["backup_file"]).stat().st_size
    return {
        "rows": rows,
        "added": int(found.group(3)),
        "import": imported,
        "rollback": rolled,
        "report": report,
        "backup_mb": backup / 1e6,
    }


def table(r: dict[str, object]) -> str:
    imp, rb, rep = r["import"], r["rollback"], r["report"]
    assert isinstance(imp, bench.Run)
    assert isinstance(rb, bench.Run)
    assert isinstance(rep, dict)
    return "\n".join(
        [
            "| Rows | Import | Rollback | Rollback / import | Import peak RSS | Rollback peak RSS"
            " | Memberships removed | Leads deleted | Backup CSV | Load (1 min) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['rows']:,} | {imp.seconds:.1f} s | {rb.seconds:.1f} s | "
            f"{rb.seconds / imp.seconds:.2f}× | {imp.peak_mb:.0f} MB | {rb.peak_mb:.0f} MB | "
            f"{rep['memberships']:,} | {rep['leads_deleted']:,} | {r['backup_mb']:.0f} MB | "
            f"{max(imp.load, rb.load):.1f} |",
        ]
    )


def machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next(
        (ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if ln.startswith("Model name")),
        "unknown CPU",
    )
    return f"{model}; {bench.machine(None)}"


def section(r: dict[str, object], argv: list[str]) -> str:
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {dt.date.today().isoformat()} on {machine()}.",
            "",
            "`leadport import FILE --campaign Bench --policy active` on a fresh SQLite database "
            "(the campaign created first, untimed), then `leadport rollback ID --yes --json` of "
            "that import, each timed as a whole command (interpreter start-up included) with the "
            "peak RSS of its process (GNU `time` %M). The rollback archives what it removes for a "
            "restore, writes the backup CSV (to the data folder, and gzip-compressed into "
            "`stored_files`), deletes the memberships and leads, all in one transaction. Load: the "
            "highest 1-minute load average seen at the start or end of either run (the machine is "
            "shared).",
            "",
            table(r),
            "",
            f"Reproduce: `uv run python benchmarks/run_rollback_bench.py "
            f"{' '.join(a for a in argv if a != '--write-docs')}`",
            "",
        ]
    )


def write_docs(text: str) -> None:
    """Replace only this section of docs/performance.md; the others stay as they are on disk."""
    current = bench.DOCS.read_text(encoding="utf-8")
    start = current.find(SECTION + "\n")
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        nxt = re.compile(r"^## ", re.M).search(current, start + len(SECTION))
        end = nxt.start() if nxt else len(current)
        updated = current[:start] + text + ("\n" + current[end:] if nxt else "")
    bench.DOCS.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--write-docs", action="store_true", help=f"update '{SECTION}'")
    args = parser.parse_args(argv)
    result = run(args.rows, args.seed)
    print(table(result))
    if args.write_docs:
        write_docs(section(result, argv))
        print(f"\nupdated {bench.DOCS.relative_to(bench.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

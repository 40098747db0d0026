"""Time `leadport rollback ID --yes` against the `leadport import` it undoes, in one run.

Two scenarios on a fresh SQLite database each, every command in its own child process with its
wall time and peak RSS:
- new: the generated file (cached in benchmarks/out/) imported into a campaign (policy
  `active`): the rollback deletes the leads it created;
- updates: the file imported first without a campaign (untimed), then a changed copy (every
  Title changed, a new custom column, a tag) with `--overwrite` into the campaign: the rollback
  removes the memberships and puts every changed value back on leads that stay.
Then `leadport restore ID` brings each import back. Goal: the rollback takes at most as long as
the import.

    uv run python benchmarks/run_rollback_bench.py --rows 1000000 [--only new|updates] [--write-docs]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_import_bench as bench

SECTION = "## Rollback: undoing an import against importing it"
IMPORTED = re.compile(r"Import (\d+) completed: (\d+) rows read")
SCENARIOS = ("new", "updates")


def updated_copy(path: Path) -> Path:
    """The file with every Title changed and a custom column added (cached beside it)."""
    out = path.with_name(path.stem + "-updated.csv")
    if out.exists():
        return out
    temp = out.with_suffix(".tmp")
    with path.open(newline="", encoding="utf-8") as src, temp.open("w", newline="") as dst:
        rows, writer = csv.reader(src), csv.writer(dst)
        head = next(rows)
        title = head.index("Title")
        writer.writerow([*head, "Segment"])
        for i, row in enumerate(rows):
            row[title] = f"{row[title]} II" if row[title] else "Advisor"
            writer.writerow([*row, f"S{i % 7}"])
    temp.replace(out)
    return out


@dataclass(frozen=True)
class Result:
    scenario: str
    rows: int
    imported: bench.Run
    rolled: bench.Run
    restored: bench.Run
    report: dict[str, Any]
    backup_mb: float


def run(rows: int, seed: int, scenario: str) -> Result:
    path = bench.lead_file(rows, seed)
    with tempfile.TemporaryDirectory(prefix="leadport-rollback-bench-") as name:
        tmp = Path(name)
        env = bench.leadport_env(f"sqlite:///{tmp / 'bench.db'}", tmp)
        bench.check([*bench.LEADPORT, "campaign", "create", "Bench"], env=env)
        into = ["--campaign", "Bench", "--policy", "active"]
        timed = [*bench.LEADPORT, "import", str(path), *into]
        if scenario == "updates":
            bench.check([*bench.LEADPORT, "import", str(path)], env=env)
            changed = str(updated_copy(path))
            timed = [*bench.LEADPORT, "import", changed, *into, "--overwrite", "--tag", "wave2"]
        imported = bench.measure(timed, env=env)
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
        restored = bench.measure([*bench.LEADPORT, "restore", found.group(1), "--json"], env=env)
        if not restored.ok:
            raise SystemExit(f"the restore failed: {restored.failure()}")
    return Result(scenario, rows, imported, rolled, restored, report, backup / 1e6)


def table(results: list[Result]) -> str:
    lines = [
        "| Scenario | Rows | Import | Rollback | Rollback / import | Restore | Peak RSS"
        " (import / rollback / restore) | Memberships removed | Leads deleted | Values put back"
        " | Backup CSV | Load (1 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        imp, rb, rs, rep = r.imported, r.rolled, r.restored, r.report
        lines.append(
            f"| {r.scenario} | {r.rows:,} | {imp.seconds:.1f} s | {rb.seconds:.1f} s | "
            f"{rb.seconds / imp.seconds:.2f}× | {rs.seconds:.1f} s | "
            f"{imp.peak_mb:.0f} / {rb.peak_mb:.0f} / {rs.peak_mb:.0f} MB | "
            f"{rep['memberships']:,} | {rep['leads_deleted']:,} | {rep['fields_restored']:,} | "
            f"{r.backup_mb:.0f} MB | {max(imp.load, rb.load, rs.load):.1f} |"
        )
    return "\n".join(lines)


def machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next(
        (ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if ln.startswith("Model name")),
        "unknown CPU",
    )
    return f"{model}; {bench.machine(None)}"


def section(results: list[Result], argv: list[str]) -> str:
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {dt.date.today().isoformat()} on {machine()}.",
            "",
            "Each scenario on a fresh SQLite database; every command timed as a whole (interpreter "
            "start-up included) with the peak RSS of its process (GNU `time` %M). *new*: "
            "`leadport import FILE --campaign Bench --policy active` (the campaign created first, "
            "untimed), whose rollback deletes the leads it created. *updates*: the same file "
            "imported first without a campaign (untimed), then a changed copy (every Title "
            "changed, one new custom column, `--tag wave2`) with `--overwrite` into the campaign, "
            "whose rollback removes the memberships and puts three values back on every lead. "
            "Then `leadport rollback ID --yes --json` (archive for restore, backup CSV to the "
            "data folder and gzip-compressed into `stored_files`, deletes, values put back, all "
            "in one transaction), then `leadport restore ID`. Load: the highest 1-minute load "
            "average seen at the start or end of the three runs (the machine is shared).",
            "",
            table(results),
            "",
            f"Reproduce: `uv run python benchmarks/run_rollback_bench.py "
            f"{' '.join(a for a in argv if a != '--write-docs')}`",
            "",
            "Earlier figures, and what they taught: the next section (kept by hand).",
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
    parser.add_argument("--only", choices=SCENARIOS, help="run one scenario (default: both)")
    parser.add_argument("--write-docs", action="store_true", help=f"update '{SECTION}'")
    args = parser.parse_args(argv)
    results = []
    for scenario in [args.only] if args.only else SCENARIOS:
        results.append(run(args.rows, args.seed, scenario))
        print(f"{scenario}: done", file=sys.stderr, flush=True)
    print(table(results))
    if args.write_docs:
        write_docs(section(results, argv))
        print(f"\nupdated {bench.DOCS.relative_to(bench.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

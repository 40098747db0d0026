"""The backup CSV of a rollback: every removed membership (and deleted lead) with its fields,
custom fields, tags, status and activity counts per type.

Formula-safe (`safe_cells.neutralize`) and ready to re-import: the lead fields and custom fields
are ordinary columns, what only describes the removal is in `leadport_*` columns, which an
import ignores. Written row by row, so memory does not grow with the import.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from leadport.db.backup_rows import ACTIVITY_TYPES, BackupRow
from leadport.domain.model import LEAD_FIELDS
from leadport.writers.safe_cells import neutralize

DESCRIPTION = (
    "leadport_campaign",
    "leadport_status",
    "leadport_lead_id",
    "leadport_lead_deleted",
    *(f"leadport_{t}" for t in ACTIVITY_TYPES),
)


def header(custom_names: list[str]) -> list[str]:
    return [*LEAD_FIELDS, *custom_names, "tags", *DESCRIPTION]


def write_backup_csv(out: IO[str], custom_names: list[str], rows: Iterable[BackupRow]) -> int:
    """Write the header and one line per row; return the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(custom_names))
    count = 0
    for r in rows:
        writer.writerow(
            [
                *(_cell(r.fields.get(f)) for f in LEAD_FIELDS),
                *(_cell(r.custom.get(name)) for name in custom_names),
                neutralize(", ".join(r.tags)),
                _cell(r.campaign),
                r.status or "",
                r.lead_id,
                "yes" if r.lead_deleted else "no",
                *(r.activity[t] for t in ACTIVITY_TYPES),
            ]
        )
        count += 1
    return count


def gzip_file(path: Path, level: int = 6) -> bytes:
    """The file's bytes gzip-compressed, streamed through a temporary file beside it so that
    only the compressed result is ever held in memory (once)."""
    packed = path.with_name(path.name + ".gz")
    try:
        with path.open("rb") as src, packed.open("wb") as raw:
            packer = zlib.compressobj(level, zlib.DEFLATED, 31)
            while chunk := src.read(1 << 20):
                raw.write(packer.compress(chunk))
            raw.write(packer.flush())
        return packed.read_bytes()
    finally:
        packed.unlink(missing_ok=True)


def _cell(value: object) -> str:
    return "" if value is None else neutralize(str(value))

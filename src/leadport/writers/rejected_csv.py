"""The rejected-rows CSV: original cells plus leadport_row/code/reason/conflict, ready to fix and
re-import as it is (the leadport_* columns are ignored on re-import)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from leadport.domain.outcomes import RowOutcome
from leadport.writers.safe_cells import neutralize

EXTRA_COLUMNS = ("leadport_row", "leadport_code", "leadport_reason", "leadport_conflict")


def conflict_of(outcome: RowOutcome) -> str:
    d = outcome.detail
    for key in ("campaign", "first_row", "lead_id", "email_lead_id", "value", "field"):
        if d.get(key) not in (None, ""):
            if key == "email_lead_id":
                return f"lead {d['email_lead_id']} / lead {d.get('linkedin_lead_id')}"
            if key == "first_row":
                return f"row {d['first_row']}"
            if key == "lead_id":
                return f"lead {d['lead_id']}"
            return str(d[key])
    return ""


def write_rejected_csv(
    out: IO[str], headers: list[str], rows: Iterable[tuple[RowOutcome, list[str] | None]]
) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*headers, *EXTRA_COLUMNS])
    count = 0
    for outcome, cells in rows:
        if cells is None:
            continue
        padded = (list(cells) + [""] * len(headers))[: len(headers)]
        code = outcome.campaign_code if outcome.code in ("added", "modified") else outcome.code
        writer.writerow(
            [
                *(neutralize(c) for c in padded),
                outcome.row,
                code,
                neutralize(outcome.message),
                neutralize(conflict_of(outcome)),
            ]
        )
        count += 1
    return count

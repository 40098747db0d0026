"""The backup CSV's lines are exactly what csv.writer writes for the formula-safe cells, also for
cells with commas, quotes, line breaks, formula characters, non-text custom values."""

from __future__ import annotations

import csv
import io
import json
import random
from typing import Any

from leadport.domain.model import LEAD_FIELDS
from leadport.writers.rollback_backup import GzipTee, header, write_backup_csv
from leadport.writers.safe_cells import neutralize

N = len(LEAD_FIELDS)
PIECES = ["a", "Zoë", " ", ",", '"', "\r", "\n", "\r\n", "=", "+", "-", "@", "\t", "'", ";", "1"]
NAMES = ["City", "Notes", "Score"]


def _text(rng: random.Random) -> str | None:
    if rng.random() < 0.2:
        return None
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))


def _row(rng: random.Random, lead_id: int) -> tuple[Any, ...]:
    custom: dict[str, Any] = {}
    for name in NAMES:
        if rng.random() < 0.6:
            custom[name] = rng.choice([_text(rng) or "x", 3, -1.5, True, None, ["=a"]])
    tags = [t for t in (_text(rng) for _ in range(rng.randint(0, 3))) if t]
    return (
        *(_text(rng) for _ in range(N)),
        json.dumps(custom) if custom or rng.random() < 0.5 else None,
        json.dumps(tags) if tags else rng.choice([None, "[]"]),
        _text(rng),
        rng.choice(["scheduled", "interested", None]),
        f"{lead_id},{rng.choice(['yes', 'no'])},{rng.randint(0, 3)},0,0,1,0,0,{rng.randint(0, 9)}",
    )


def _cell(value: object) -> str:
    return "" if value is None else neutralize(str(value))


def _reference(rows: list[tuple[Any, ...]]) -> str:
    """The backup as csv.writer wrote it row by row before the lines were built directly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(NAMES))
    for row in rows:
        custom = json.loads(row[N]) if row[N] is not None else {}
        tags = json.loads(row[N + 1]) if row[N + 1] is not None else []
        writer.writerow(
            [
                *(_cell(v) for v in row[:N]),
                *(_cell(custom.get(name)) for name in NAMES),
                neutralize(", ".join(tags)),
                _cell(row[N + 2]),
                row[N + 3] or "",
                *row[N + 4].split(","),
            ]
        )
    return "\ufeff" + out.getvalue()


def test_the_lines_are_what_csv_writer_writes_for_random_awkward_rows():
    rng = random.Random(20261201)
    rows = [_row(rng, i) for i in range(3_000)]
    raw = io.BytesIO()
    out = GzipTee(raw, io.BytesIO())
    chunks = [rows[i : i + 700] for i in range(0, len(rows), 700)]

    assert write_backup_csv(out, NAMES, chunks) == len(rows)
    assert raw.getvalue().decode("utf-8") == _reference(rows)


def test_without_custom_fields_a_plain_row_is_one_joined_line():
    raw = io.BytesIO()
    row = ("a@x.com", None, "Ann", "Lee", "Acme", None, None, None, None, None, "C", "scheduled")
    write_backup_csv(GzipTee(raw, io.BytesIO()), [], [[(*row, "7,yes,0,0,0,0,0,0,0")]])

    assert raw.getvalue().decode("utf-8").splitlines()[1] == (
        "a@x.com,,Ann,Lee,Acme,,,,,C,scheduled,7,yes,0,0,0,0,0,0,0"
    )

"""What every reader yields: the header it found and a stream of raw records with row numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(slots=True)  # not frozen: one per record, and frozen costs ≈ 0.5 µs more
class RawRow:
    """One data record. `row` is the number a spreadsheet shows for it (the first record is 1).

    `cells` is padded to the header's width; `error` is set when the record could not be read
    (the pipeline turns that into a `malformed_row` outcome instead of refusing the file).
    """

    row: int
    cells: list[str]
    error: str | None = None


@dataclass(slots=True)
class Progress:
    """Bytes or records consumed so far out of the total, for progress bars and the import row."""

    done: int = 0
    total: int | None = None
    unit: str = "bytes"
    extra: dict[str, int] = field(default_factory=dict)


class Table(Protocol):
    file_name: str
    header_row: int
    headers: list[str]
    progress: Progress

    def rows(self) -> Iterator[RawRow]: ...

    def close(self) -> None: ...

"""Input limits: a file past one of them is refused whole, with a message naming the setting."""

from __future__ import annotations

from dataclasses import dataclass

from leadport.errors import LimitExceededError


@dataclass(frozen=True, slots=True)
class ReaderLimits:
    """The reader-side limits; the defaults equal the `LEADPORT_MAX_*` settings' defaults."""

    max_file_bytes: int = 2 * 1024**3
    max_rows: int = 5_000_000
    max_cell_chars: int = 10_000


def human_bytes(size: int) -> str:
    """Sizes as people read them in a file manager (binary units, one decimal)."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def check_file_size(file_name: str, size: int, limits: ReaderLimits) -> None:
    """Refuse an oversized file before reading a byte of it."""
    if size > limits.max_file_bytes:
        raise LimitExceededError(
            f"{file_name} is {human_bytes(size)}, larger than the limit of "
            f"{human_bytes(limits.max_file_bytes)} set by LEADPORT_MAX_FILE_BYTES.",
            detail={
                "file": file_name,
                "limit": limits.max_file_bytes,
                "setting": "LEADPORT_MAX_FILE_BYTES",
                "size": size,
            },
        )


def rows_exceeded(file_name: str, row: int, limits: ReaderLimits) -> LimitExceededError:
    """The error for the first data row past `max_rows` (raised at that row, not before)."""
    return LimitExceededError(
        f"{file_name} row {row}: the file has more than {limits.max_rows:,} data rows, "
        f"the limit set by LEADPORT_MAX_ROWS.",
        detail={
            "file": file_name,
            "row": row,
            "limit": limits.max_rows,
            "setting": "LEADPORT_MAX_ROWS",
        },
    )


def cell_exceeded(
    file_name: str, row: int, column: str | None, length: int | None, limits: ReaderLimits
) -> LimitExceededError:
    """The error for a cell longer than `max_cell_chars`; `length` is None when parsing gave up."""
    where = f"{file_name} row {row}" + (f", column {column!r}" if column else "")
    size = f"a cell of {length:,} characters" if length is not None else "a cell"
    hint = (
        ""
        if length is not None
        else " (if that is not expected, a quoted field may never be closed)"
    )
    return LimitExceededError(
        f"{where}: {size} is longer than the limit of {limits.max_cell_chars:,} characters "
        f"set by LEADPORT_MAX_CELL_CHARS{hint}.",
        detail={
            "file": file_name,
            "row": row,
            "column": column,
            "limit": limits.max_cell_chars,
            "setting": "LEADPORT_MAX_CELL_CHARS",
        },
    )

"""Limits refuse a file with a message naming the setting; streaming keeps memory flat."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest

from leadport.errors import LimitExceededError
from leadport.readers import ReaderLimits, open_table, sha256_of

DATA = Path(__file__).resolve().parents[1] / "data"


def test_defaults_match_the_settings_defaults() -> None:
    from leadport.config import Settings

    settings = Settings()
    assert ReaderLimits() == ReaderLimits(
        max_file_bytes=settings.max_file_bytes,
        max_rows=settings.max_rows,
        max_cell_chars=settings.max_cell_chars,
    )


def test_file_larger_than_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(LimitExceededError) as caught:
        open_table(DATA / "utf8_basic.csv", limits=ReaderLimits(max_file_bytes=100))
    assert caught.value.message == (
        "utf8_basic.csv is 125 bytes, larger than the limit of 100 bytes "
        "set by LEADPORT_MAX_FILE_BYTES."
    )
    assert caught.value.detail["setting"] == "LEADPORT_MAX_FILE_BYTES"


def test_rows_past_the_limit_raise_at_the_offending_row() -> None:
    seen: list[int] = []
    with (
        pytest.raises(LimitExceededError) as caught,
        open_table(DATA / "quoted_fields.csv", limits=ReaderLimits(max_rows=2)) as table,
    ):
        seen.extend(r.row for r in table.rows())
    assert seen == [2, 3]
    assert caught.value.message == (
        "quoted_fields.csv row 4: the file has more than 2 data rows, "
        "the limit set by LEADPORT_MAX_ROWS."
    )
    assert caught.value.detail["row"] == 4


def test_blank_records_do_not_count_towards_the_row_limit() -> None:
    with open_table(DATA / "blank_records.csv", limits=ReaderLimits(max_rows=2)) as table:
        assert [r.row for r in table.rows()] == [2, 7]


def test_xlsx_rows_past_the_limit_raise_at_the_offending_row() -> None:
    with (
        pytest.raises(LimitExceededError, match=r"^two_sheets\.xlsx row 6: "),
        open_table(DATA / "two_sheets.xlsx", limits=ReaderLimits(max_rows=1)) as table,
    ):
        list(table.rows())


def test_long_cell_names_its_row_and_column() -> None:
    with (
        pytest.raises(LimitExceededError) as caught,
        open_table(DATA / "utf8_basic.csv", limits=ReaderLimits(max_cell_chars=15)) as table,
    ):
        list(table.rows())
    assert caught.value.message == (
        "utf8_basic.csv row 2, column 'Email': a cell of 16 characters is longer than the limit "
        "of 15 characters set by LEADPORT_MAX_CELL_CHARS."
    )
    assert (caught.value.detail["row"], caught.value.detail["column"]) == (2, "Email")


def test_long_header_cell_is_refused_when_the_file_is_opened() -> None:
    with pytest.raises(LimitExceededError, match=r"^utf8_basic\.csv row 1, column 'First Name'"):
        open_table(DATA / "utf8_basic.csv", limits=ReaderLimits(max_cell_chars=8))


def test_quote_left_open_over_a_large_rest_of_file_stops_at_the_cell_limit(tmp_path: Path) -> None:
    path = tmp_path / "runaway.csv"
    tail = "".join(f"n{i}@example.com,Name {i}\n" for i in range(20_000))
    path.write_text(f'Email,Name\na@example.com,Ann\nb@example.com,"Bob\n{tail}', encoding="utf-8")
    with (
        pytest.raises(LimitExceededError) as caught,
        open_table(path) as table,
    ):
        list(table.rows())
    assert caught.value.message == (
        "runaway.csv row 3: a cell is longer than the limit of 10,000 characters set by "
        "LEADPORT_MAX_CELL_CHARS (if that is not expected, a quoted field may never be closed)."
    )


def test_limit_above_the_csv_module_default_allows_long_cells(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Email,Bio\r\na@example.com," + "x" * 200_000 + "\r\n", encoding="utf-8")
    with open_table(path, limits=ReaderLimits(max_cell_chars=300_000)) as table:
        assert [len(r.cells[1]) for r in table.rows()] == [200_000]


def _write_big_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write("Email,First Name,Last Name,Company,Notes\r\n")
        for i in range(rows):
            fh.write(f'lead{i}@example.com,René,Müller {i},"Acme, Inc.","line\r\nbreak"\r\n')


def test_streaming_a_large_file_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    _write_big_file(path, 200_000)
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count, last = 0, None
            for raw in table.rows():
                count, last = count + 1, raw
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.encoding == "windows-1252"
    assert count == 200_000
    assert last is not None
    assert (last.row, last.cells[2]) == (200_001, "Müller 199999")
    assert peak < 3 * 1024 * 1024, f"peak {peak:,} bytes"


def test_sha256_of_streams_the_file_bytes() -> None:
    path = DATA / "two_sheets.xlsx"
    assert sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()

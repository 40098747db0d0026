"""XLSX workbooks: sheet choice, Excel's row numbers, and cells as the text a user saw."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from leadport.errors import InputFileError, UsageError
from leadport.readers import open_table
from leadport.readers.xlsx import cell_text

DATA = Path(__file__).resolve().parents[1] / "data"


def test_first_sheet_is_read_with_excel_row_numbers_and_converted_cells() -> None:
    with open_table(DATA / "two_sheets.xlsx") as table:
        assert (table.format, table.sheet, table.header_row) == ("xlsx", "Leads", 3)
        assert table.headers == [
            "Email", "First Name", "Employees", "Score", "Signed Up", "Last Call", "Active", "Phone",
        ]  # fmt: skip
        rows = [(r.row, r.cells, r.error) for r in table.rows()]
    assert rows == [
        (4, ["ann@example.com", "Ann", "120", "4.75", "2024-02-29", "2024-03-01T14:05:09",
             "TRUE", "33612345678"], None),
        (6, ["bob@example.com", "Bob", "7", "0.1", "", "", "FALSE", "+44 20 7946 0000"], None),
    ]  # fmt: skip


def test_named_sheet_is_read() -> None:
    with open_table(DATA / "two_sheets.xlsx", sheet="Archive 2023") as table:
        assert (table.sheet, table.headers) == ("Archive 2023", ["Email", "Company"])
        assert [(r.row, r.cells) for r in table.rows()] == [(2, ["old@example.com", "Old Co"])]


def test_sheet_name_matches_case_insensitively_when_unambiguous() -> None:
    with open_table(DATA / "two_sheets.xlsx", sheet="archive 2023") as table:
        assert table.sheet == "Archive 2023"


def test_unknown_sheet_is_a_usage_error_listing_the_sheets() -> None:
    with pytest.raises(UsageError) as caught:
        open_table(DATA / "two_sheets.xlsx", sheet="Sheet1")
    assert caught.value.message == (
        "two_sheets.xlsx has no sheet named 'Sheet1'; its sheets are 'Leads', 'Archive 2023'."
    )


def test_hidden_first_sheet_is_passed_over_for_the_first_visible_one() -> None:
    with open_table(DATA / "hidden_first_sheet.xlsx") as table:
        assert table.sheet == "Contacts"
        assert [(r.row, r.cells) for r in table.rows()] == [(2, ["vis@example.com", "Vis"])]


def test_hidden_sheet_can_still_be_named() -> None:
    with open_table(DATA / "hidden_first_sheet.xlsx", sheet="Lookup") as table:
        assert (table.headers, list(table.rows())) == (["Code", "Value"], [])


def test_xlsx_is_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "leads.csv"
    shutil.copy(DATA / "two_sheets.xlsx", renamed)
    with open_table(renamed) as table:
        assert (table.format, table.sheet) == ("xlsx", "Leads")


def test_progress_counts_sheet_rows() -> None:
    with open_table(DATA / "two_sheets.xlsx") as table:
        assert (table.progress.unit, table.progress.total) == ("rows", 6)
        list(table.rows())
        assert table.progress.done == 6


def test_damaged_xlsx_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes((DATA / "two_sheets.xlsx").read_bytes()[:2000])
    with pytest.raises(InputFileError, match=r"^broken\.xlsx is not a CSV or XLSX file: "):
        open_table(broken)


def test_zip_without_a_workbook_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", root_dir=DATA, base_dir="empty.csv")
    with pytest.raises(InputFileError) as caught:
        open_table(archive)
    assert caught.value.message == (
        "photos.zip is not a CSV or XLSX file: it is a ZIP archive without an Excel workbook inside."
    )


def test_empty_sheet_is_refused_as_empty(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "blank.xlsx"
    Workbook().save(path)
    with pytest.raises(InputFileError, match=r"^sheet 'Sheet' of blank\.xlsx is empty\.$"):
        open_table(path)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  kept as is ", "  kept as is "),
        (12.0, "12"),
        (-0.0, "0"),
        (33612345678.0, "33612345678"),
        (4.75, "4.75"),
        (0.1, "0.1"),
        (7, "7"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        (dt.datetime(2024, 3, 1, 14, 5, 9), "2024-03-01T14:05:09"),
        (dt.time(9, 30), "09:30:00"),
    ],
)
def test_cell_values_become_the_text_a_user_expects(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_sheet_starting_below_and_right_of_a1_keeps_excel_row_numbers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet["C4"], sheet["D4"] = "Email", "Name"
    sheet["C6"], sheet["D6"] = "far@example.com", "Far"
    wb.save(tmp_path / "offset.xlsx")
    with open_table(tmp_path / "offset.xlsx") as table:
        assert (table.header_row, table.headers) == (4, ["Email", "Name"])
        assert [(r.row, r.cells) for r in table.rows()] == [(6, ["far@example.com", "Far"])]


def test_opendocument_spreadsheet_is_refused_with_what_to_do(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "leads.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(InputFileError) as caught:
        open_table(path)
    assert caught.value.message == (
        "leads.ods is not a CSV or XLSX file: it is an OpenDocument file; save it as .xlsx or CSV."
    )


def test_text_saved_under_an_xlsx_name_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    shutil.copy(DATA / "utf8_basic.csv", path)
    with open_table(path) as table:
        assert (table.format, table.delimiter, table.headers[0]) == ("csv", ",", "Email")


def test_old_excel_or_encrypted_workbook_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "leads.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(InputFileError) as caught:
        open_table(path)
    assert caught.value.message == (
        "leads.xls is not a CSV or XLSX file: it is an old-format (.xls) or password-protected "
        "Excel file; save it as an unprotected .xlsx workbook or as CSV."
    )

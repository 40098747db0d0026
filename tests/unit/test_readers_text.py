"""Delimited text files from the corpus in tests/data: what a user would check in the result —
the header found, each row's number as a spreadsheet shows it, and the exact cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadport.errors import InputFileError, UsageError
from leadport.readers import Table, open_table

DATA = Path(__file__).resolve().parents[1] / "data"


Rows = list[tuple[int, list[str], str | None]]


def read(name: str) -> tuple[int, list[str], Rows]:
    """Header row, headers and every yielded row of a corpus file."""
    with open_table(DATA / name) as table:
        rows = [(r.row, r.cells, r.error) for r in table.rows()]
        return table.header_row, table.headers, rows


def test_utf8_file_without_bom_keeps_accents_and_greek() -> None:
    header_row, headers, rows = read("utf8_basic.csv")
    assert header_row == 1
    assert headers == ["Email", "First Name", "Last Name", "Company"]
    assert rows == [
        (2, ["jose@example.com", "José", "Núñez", "Café Ltd"], None),
        (3, ["zoe@example.org", "Zoë", "Brontë", "Ελληνικά AE"], None),
    ]


def test_utf8_bom_is_dropped_from_the_first_header_and_crlf_from_cells() -> None:
    with open_table(DATA / "utf8_bom_crlf.csv") as table:
        assert table.headers == ["Email", "First Name", "Company"]
        assert table.encoding == "utf-8-sig"
        assert [r.cells for r in table.rows()] == [
            ["anna@example.com", "Anna", "Åkesson AB"],
            ["li@example.cn", "李", "北京公司"],
        ]


def test_excel_unicode_text_is_utf16_tab_separated_with_quoted_tabs_and_newlines() -> None:
    with open_table(DATA / "excel_unicode_text.txt") as table:
        assert table.encoding == "utf-16"
        assert table.delimiter == "\t"
        assert table.headers == ["Email", "First Name", "Last Name", "Company"]
        rows = [(r.row, r.cells, r.error) for r in table.rows()]
    assert rows == [
        (2, ["marie@example.fr", "Marie", "Curie", "Société Générale"], None),
        (3, ["jp@example.fr", 'Jean "JP" Pierre', "Dupont", "Tab\there, line\nbreak SARL"], None),
    ]


def test_windows_1252_file_is_recognised_and_decoded() -> None:
    with open_table(DATA / "cp1252_names.csv") as table:
        assert table.encoding == "windows-1252"
        rows = [r.cells for r in table.rows()]
    assert rows == [
        ["rene@example.fr", "René", "Müller", "Brasserie O’Neill", "costs 5€"],
        ["jurgen@example.de", "Jürgen", "Großmann", "Bäckerei GmbH", "“quoted”"],
    ]


def test_french_excel_export_uses_semicolons_and_keeps_decimal_commas() -> None:
    with open_table(DATA / "french_semicolon.csv") as table:
        assert table.delimiter == ";"
        assert table.headers == ["Prénom", "Nom", "E-mail", "Société", "Score"]
        rows = [r.cells for r in table.rows()]
    assert rows == [
        ["Amélie", "Poulain", "amelie@example.fr", "Dupont, Fils & Cie", "1,5"],
        ["François", "Lefèvre", "francois@example.fr", "L’Atelier", "12,25"],
    ]


@pytest.mark.parametrize(
    ("name", "delimiter", "last_company"),
    [("pipe_delimited.csv", "|", "Foo; Bar"), ("tab_delimited.tsv", "\t", "Foo; Bar | Baz")],
)
def test_pipe_and_tab_delimiters_win_over_commas_inside_values(
    name: str, delimiter: str, last_company: str
) -> None:
    with open_table(DATA / name) as table:
        assert table.delimiter == delimiter
        assert table.headers == ["Email", "Name", "Company"]
        rows = [r.cells for r in table.rows()]
    assert rows == [
        ["a@example.com", "Ann Lee", "Acme, Inc."],
        ["b@example.com", "Bob Ray", last_company],
    ]


@pytest.mark.parametrize("ending", ["lf", "crlf", "cr"])
def test_every_line_ending_gives_the_same_rows(ending: str) -> None:
    assert read(f"endings_{ending}.csv") == (
        1,
        ["Email", "Name"],
        [(2, ["a@example.com", "Ann"], None), (3, ["b@example.com", "Bob"], None)],
    )


def test_quoted_fields_keep_delimiters_doubled_quotes_and_newlines_as_one_record() -> None:
    _, headers, rows = read("quoted_fields.csv")
    assert headers == ["Email", "Name", "Company", "Notes"]
    assert rows == [
        (2, ["a@example.com", "Lee, Ann", 'The "Best" Co', "line one\r\nline two"], None),
        (3, ["b@example.com", "Bob", "", ""], None),
        (4, ["c@example.com", 'Carol "CJ" Jones', "A, B; C|D", "multi\nline\nthree"], None),
    ]


def test_linkedin_connections_notes_above_the_header_are_skipped() -> None:
    header_row, headers, rows = read("linkedin_connections.csv")
    assert header_row == 4
    assert headers == [
        "First Name",
        "Last Name",
        "URL",
        "Email Address",
        "Company",
        "Position",
        "Connected On",
    ]
    assert rows == [
        (5, ["Ada", "Lovelace", "https://www.linkedin.com/in/ada-lovelace", "",
             "Analytical Engines", "Founder", "01 Mar 2024"], None),
        (6, ["Grace", "Hopper", "https://www.linkedin.com/in/gracehopper", "grace@example.com",
             "Navy, US", "Rear Admiral", "15 Feb 2024"], None),
    ]  # fmt: skip


def test_title_line_above_the_header_is_skipped_and_rows_keep_file_numbers() -> None:
    header_row, headers, rows = read("title_lines.csv")
    assert (header_row, headers) == (3, ["Email", "First Name", "Company"])
    assert rows == [(4, ["a@example.com", "Ann", "Acme"], None)]


def test_salesforce_report_footer_lines_become_ordinary_rows_after_the_blank_line() -> None:
    with open_table(DATA / "salesforce_report.csv") as table:
        assert table.encoding == "windows-1252"
        assert table.headers[3:5] == ["Company / Account", "Email"]
        rows = [(r.row, r.cells[0], r.cells[1:], r.error) for r in table.rows()]
    blank_tail = [""] * 5
    assert rows == [
        (2, "Renée", ["Dubois", "Directrice", "Crème Brûlée SA", "renee@example.fr", "Web"], None),
        (3, "Ørjan", ["Sæther", "CTO", "Fjord AS", "orjan@example.no", "Trade Show"], None),
        (5, "Leads Report", blank_tail, None),
        (6, "Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved.", blank_tail, None),
        (7, "Confidential Information - Do Not Distribute", blank_tail, None),
        (8, "Generated By:  Jürgen Groß  3/1/2024 9:30 AM", blank_tail, None),
        (9, "Acme Corp", blank_tail, None),
    ]


def test_ragged_rows_are_padded_trimmed_or_flagged() -> None:
    _, headers, rows = read("ragged_rows.csv")
    assert headers == ["Email", "First Name", "Last Name"]
    assert rows == [
        (2, ["short@example.com", "", ""], None),
        (3, ["exact@example.com", "Exa", "Ct"], None),
        (4, ["long@example.com", "Lo", "Ng", "surprise", ""], "has 4 cells but the header has 3"),
        (5, ["trailing@example.com", "Trai", "Ling"], None),
    ]


def test_blank_records_are_skipped_but_keep_their_row_numbers() -> None:
    _, _, rows = read("blank_records.csv")
    assert rows == [(2, ["a@example.com", "Ann"], None), (7, ["b@example.com", "Bob"], None)]


def test_duplicate_and_empty_header_names_are_made_unique() -> None:
    _, headers, rows = read("duplicate_headers.csv")
    assert headers == ["Email", "Name", "column_3", "Email (2)", "NAME (2)", "column_6"]
    assert rows == [(2, ["a@example.com", "Ann", "x", "a2@example.com", "ANN", "y"], None)]


def test_header_only_file_has_headers_and_no_rows() -> None:
    header_row, headers, rows = read("header_only.csv")
    assert (header_row, headers, rows) == (1, ["Email", "First Name", "Last Name"], [])


def test_stray_quote_marks_only_that_row_malformed_and_keeps_its_text() -> None:
    _, _, rows = read("stray_quote.csv")
    assert rows == [
        (
            2,
            ["a@example.com", "Ann Lee"],
            "has text after a closing quote (a quote inside a quoted field must be doubled)",
        ),
        (3, ["b@example.com", "Bob"], None),
    ]


def test_stray_quotes_far_into_a_file_keep_their_own_text(tmp_path: Path) -> None:
    """The reader keeps only the last records' text: a bad record after thousands of good ones,
    one spanning lines, and one after a `sep=` line each keep their own cells."""
    good = [f"p{i}@example.com,P{i}\n" for i in range(3000)]
    bad_one = 'q@example.com,"Q" Lee\n'
    bad_two = 'r@example.com,"two\nlines" x\n'
    path = tmp_path / "far.csv"
    path.write_text(
        "sep=,\nEmail,Name\n"
        + "".join(good[:2500])
        + bad_one
        + "".join(good[2500:])
        + bad_two
        + "s@example.com,S\n",
        encoding="utf-8",
    )
    table = open_table(path, file_name="far.csv", encoding=None, sheet=None)
    rows = {r.row: (r.cells, r.error is not None) for r in table.rows()}
    table.close()
    assert rows[2503] == (["q@example.com", "Q Lee"], True)
    assert rows[2502] == (["p2499@example.com", "P2499"], False)
    assert rows[3004] == (["r@example.com", "two\nlines x"], True)
    assert rows[3005] == (["s@example.com", "S"], False)
    assert sum(bad for _, bad in rows.values()) == 2


def test_unterminated_quote_is_refused_at_the_row_where_it_opens() -> None:
    with pytest.raises(InputFileError) as caught:
        read("unterminated_quote.csv")
    assert caught.value.message == "unterminated_quote.csv row 3: a quoted field is never closed."
    assert (caught.value.file, caught.value.row) == ("unterminated_quote.csv", 3)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "empty.csv is empty."),
        ("blank_lines_only.csv", "blank_lines_only.csv is empty."),
        ("png_renamed.csv", "png_renamed.csv is not a CSV or XLSX file: it is a PNG image."),
        (
            "binary_with_nuls.csv",
            "binary_with_nuls.csv is not a CSV or XLSX file: it contains binary data.",
        ),
    ],
)
def test_files_that_are_not_tables_are_refused_with_a_reason(name: str, message: str) -> None:
    with pytest.raises(InputFileError) as caught:
        open_table(DATA / name)
    assert caught.value.message == message
    assert caught.value.file == name


def test_messages_use_the_uploaded_file_name_not_the_stored_path() -> None:
    with pytest.raises(InputFileError, match=r"^Leads March\.csv is empty\.$"):
        open_table(DATA / "empty.csv", file_name="Leads March.csv")
    with open_table(DATA / "utf8_basic.csv", file_name="upload.csv") as table:
        assert table.file_name == "upload.csv"


def test_encoding_override_wins_over_detection() -> None:
    with open_table(DATA / "utf8_basic.csv", encoding="latin-1") as table:
        assert table.encoding == "iso8859-1"
        assert next(table.rows()).cells[1] == "JosÃ©"


def test_unknown_encoding_is_a_usage_error_naming_the_value() -> None:
    with pytest.raises(UsageError, match="'klingon-8'"):
        open_table(DATA / "utf8_basic.csv", encoding="klingon-8")


def test_wrong_encoding_override_is_refused_with_advice() -> None:
    with (
        pytest.raises(InputFileError, match=r"^cp1252_names\.csv is not valid utf-8 text"),
        open_table(DATA / "cp1252_names.csv", encoding="utf-8") as table,
    ):
        list(table.rows())


def test_sheet_option_on_a_csv_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="is a CSV file, which has no sheets"):
        open_table(DATA / "utf8_basic.csv", sheet="Leads")


def test_windows_1252_bytes_it_leaves_undefined_still_decode(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"Email,Name\r\nx@example.com,Caf\xe9 \x81\x8d\x8f\x90\x9d\r\n")
    with open_table(path) as table:
        assert table.encoding == "windows-1252"
        assert [r.cells for r in table.rows()] == [["x@example.com", "Café \x81\x8d\x8f\x90\x9d"]]


def test_a_late_non_utf8_byte_still_makes_the_file_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    body = b"".join(b"n%d@example.com,Name %d\n" % (i, i) for i in range(100_000))
    path.write_bytes(b"Email,Name\n" + body + b"last@example.com,Ren\xe9\n")
    with open_table(path) as table:
        assert table.encoding == "windows-1252"
        *_, last = table.rows()
    assert (last.row, last.cells) == (100_002, ["last@example.com", "René"])


def test_utf16_without_bom_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "nobom.txt"
    path.write_bytes("Email\tName\r\nx@example.com\tÉva\r\n".encode("utf-16-le"))
    with open_table(path) as table:
        assert (table.encoding, table.delimiter) == ("utf-16-le", "\t")
        assert [r.cells for r in table.rows()] == [["x@example.com", "Éva"]]


def test_progress_counts_bytes_up_to_the_file_size() -> None:
    size = (DATA / "quoted_fields.csv").stat().st_size
    with open_table(DATA / "quoted_fields.csv") as table:
        assert table.progress.unit == "bytes"
        assert table.progress.total == size
        list(table.rows())
        assert table.progress.done == size


def test_rows_stream_only_once() -> None:
    with open_table(DATA / "utf8_basic.csv") as table:
        list(table.rows())
        with pytest.raises(RuntimeError):
            table.rows()


def test_open_table_gives_a_table_that_closes_its_file() -> None:
    table: Table = open_table(DATA / "utf8_basic.csv")
    table.close()
    table.close()  # closing twice is harmless


def test_file_holding_only_a_bom_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(InputFileError, match=r"^bom\.csv is empty\.$"):
        open_table(path)


def test_missing_file_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"^gone\.csv does not exist\.$"):
        open_table(tmp_path / "gone.csv")


def test_blank_encoding_and_sheet_options_mean_not_given() -> None:
    with open_table(DATA / "cp1252_names.csv", encoding=" ", sheet="") as table:
        assert table.encoding == "windows-1252"


def test_sep_line_written_for_excel_sets_the_delimiter_and_is_not_a_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sep.csv"
    path.write_bytes(b"sep=;\r\nEmail;Name, full\r\nx@example.com;Lee, Ann\r\n")
    with open_table(path) as table:
        assert (table.delimiter, table.header_row) == (";", 2)
        assert table.headers == ["Email", "Name, full"]
        assert [(r.row, r.cells) for r in table.rows()] == [(3, ["x@example.com", "Lee, Ann"])]

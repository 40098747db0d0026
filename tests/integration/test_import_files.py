"""Real-shaped files through the CLI: encodings, delimiters, XLSX sheets, and files refused whole."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.integration.snapshots import snapshot

NAMES = "First Name;Last Name;E-mail;Société\nÉlodie;Müller;elodie@x.fr;Crème & Co\nJürgen;O’Brien;jurgen@x.de;Straße AG\n"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16-le", b"\xff\xfe")],
    ids=["utf8", "utf8-bom", "cp1252", "utf16-excel"],
)
def test_every_common_encoding_gives_the_same_leads(cli, tmp_path, encoding, bom):
    text = NAMES.replace(";", "\t") if encoding == "utf-16-le" else NAMES
    path = tmp_path / "leads.csv"
    path.write_bytes(bom + text.replace("\n", "\r\n").encode(encoding))
    report = cli("import", path, "--json").json()
    assert report["account"]["added"] == 2, report
    shown = cli("lead", "show", "jurgen@x.de", "--json")
    assert shown.exit_code == 0, shown.stderr
    lead = shown.json()
    assert (lead["first_name"], lead["last_name"], lead["company_name"]) == (
        "Jürgen",
        "O’Brien",
        "Straße AG",
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_delimiter_is_detected(cli, write_csv, delimiter):
    rows = [
        ["Email", "Company", "Notes"],
        ["a@x.com", "Acme, Inc.", 'said "hi"\nthen left'],
        ["b@x.com", "B", ""],
    ]

    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',;\t|"\n') else cell

    text = "\n".join(delimiter.join(quote(c) for c in row) for row in rows) + "\n"
    report = cli("import", write_csv(text), "--json").json()
    assert report["rows_read"] == 2
    assert [r["row"] for r in report["rows"]] == [2, 3]


def test_xlsx_first_sheet_by_default_and_a_named_sheet_on_request(cli, tmp_path):
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Leads"
    first.append(["Email", "Employees"])
    first.append(["a@x.com", 42])
    second = wb.create_sheet("Partners")
    second.append(["Email"])
    second.append(["p@x.com"])
    second.append(["q@x.com"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    default = cli("import", path, "--json").json()
    assert default["source"] == "xlsx"
    assert default["rows_read"] == 1
    named = cli("import", path, "--sheet", "Partners", "--json").json()
    assert named["rows_read"] == 2
    missing = cli("import", path, "--sheet", "Nope")
    assert missing.exit_code == 2
    assert "Nope" in missing.stderr


def _refused(cli, database_url, path: Path, *args: str) -> str:
    before = snapshot(database_url)
    result = cli("import", path, "--campaign", "C", *args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert snapshot(database_url) == before
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_a_binary_file_is_refused_and_nothing_is_written(cli, database_url, tmp_path):
    cli("campaign", "create", "C")
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "photo.csv" in _refused(cli, database_url, path)


def test_an_empty_file_is_refused(cli, database_url, write_csv):
    cli("campaign", "create", "C")
    assert "empty" in _refused(cli, database_url, write_csv("", "empty.csv"))


def test_an_unterminated_quote_is_refused_naming_the_row(cli, database_url, write_csv):
    cli("campaign", "create", "C")
    path = write_csv('Email,Name\na@x.com,Ann\nb@x.com,"Bob\nc@x.com,Cy\n', "broken.csv")
    message = _refused(cli, database_url, path)
    assert "broken.csv" in message
    assert "row 3" in message


def test_a_file_over_the_row_limit_is_refused_naming_the_setting(
    cli, database_url, write_csv, monkeypatch
):
    cli("campaign", "create", "C")
    monkeypatch.setenv("LEADPORT_MAX_ROWS", "2")
    message = _refused(
        cli, database_url, write_csv("Email\na@x.com\nb@x.com\nc@x.com\n", "big.csv")
    )
    assert "LEADPORT_MAX_ROWS" in message


def test_a_header_only_file_completes_with_zero_rows(cli, write_csv):
    result = cli("import", write_csv("Email,First Name\n"), "--json")
    assert result.exit_code == 0
    assert result.json()["rows_read"] == 0
    assert result.json()["rows"] == []


def test_an_unknown_campaign_is_refused_with_exit_1(cli, write_csv):
    result = cli("import", write_csv("Email\na@x.com\n"), "--campaign", "Ghost")
    assert result.exit_code == 1
    assert result.stderr.strip() == "leadport: No campaign named 'Ghost' in this workspace."


def test_a_missing_file_is_a_usage_error(cli, tmp_path):
    result = cli("import", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"leadport: {tmp_path / 'nope.csv'} does not exist."


def test_a_folder_is_refused_as_not_a_file(cli, tmp_path):
    folder = tmp_path / "leads.csv"
    folder.mkdir()
    result = cli("import", folder)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"leadport: {folder} is not a file: give the path of a CSV, TSV or XLSX file."
    )


def test_map_and_ignore_override_the_detected_mapping(cli, write_csv):
    path = write_csv("Contact,Mail,Secret\nAnn Lee,ann@x.com,s3\n")
    report = cli(
        "import", path, "--map", "Contact=first_name", "--ignore", "Secret", "--json"
    ).json()
    assert report["rows"][0]["code"] == "added"
    shown = cli("lead", "show", "ann@x.com", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["first_name"] == "Ann Lee"
    assert shown.json()["custom_fields"] == {}
    bad = cli("import", path, "--map", "Contact=shoe_size")
    assert bad.exit_code == 2
    assert "shoe_size" in bad.stderr


def test_a_column_of_emails_maps_to_email_whatever_its_header(cli, write_csv):
    report = cli(
        "import",
        write_csv("Who,Reach me at\nAnn,ann@x.com\nBob,bob@x.com\nCy,cy@x.com\n"),
        "--json",
    ).json()
    assert report["account"]["added"] == 3


def test_a_full_name_column_is_kept_and_split_only_when_asked(cli, write_csv):
    path = write_csv("Email,Full Name\nann@x.com,Ann Lee\n")
    cli("import", path)
    kept = cli("lead", "show", "ann@x.com", "--json").json()
    assert (kept["first_name"], kept["custom_fields"]) == (None, {"Full Name": "Ann Lee"})
    cli(
        "import",
        write_csv("Email,Name\nbo@x.com,Bo Diaz\n", "b.csv"),
        "--transform",
        "split_full_name",
    )
    split = cli("lead", "show", "bo@x.com", "--json").json()
    assert (split["first_name"], split["last_name"]) == ("Bo", "Diaz")
    assert split["custom_fields"] == {"Name": "Bo Diaz"}


@pytest.mark.parametrize("flag", ["--mapping", "--save-mapping"])
def test_a_blank_mapping_name_is_a_usage_error_and_nothing_is_written(
    cli, database_url, write_csv, flag
):
    cli("campaign", "create", "C")
    before = snapshot(database_url)
    result = cli("import", write_csv("Email\na@x.com\n"), flag, " ")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"leadport: {flag} needs the name of a mapping, not a blank."
    assert snapshot(database_url) == before

"""The readers' building blocks on their own: header choice, header names, delimiter, encoding."""

from __future__ import annotations

import io

import pytest

from leadport.errors import InputFileError, UsageError
from leadport.readers.delimiter import declared_delimiter, detect_delimiter
from leadport.readers.encoding import UTF8, WINDOWS_1252, TextEncoding, choose_encoding
from leadport.readers.header import choose_header, unique_headers
from leadport.readers.limits import human_bytes

KNOWN = {"email", "first name", "last name", "company"}


def count_known(cells: list[str]) -> int:
    return sum(c.lower() in KNOWN for c in cells)


def test_header_is_the_first_record_naming_two_fields() -> None:
    records = [["Email list for March"], ["Company", "Notes"], ["Email", "First Name"]]
    assert choose_header(records, count_known) == 2


def test_header_falls_back_to_the_first_record_naming_one_field() -> None:
    records = [["Leads"], ["Email", "Remarks"], ["x@example.com", "hello"]]
    assert choose_header(records, count_known) == 1


def test_header_falls_back_to_the_first_record_when_nothing_names_a_field() -> None:
    records = [["Kontakt", "Firma"], ["x@example.com", "Acme"]]
    assert choose_header(records, count_known) == 0


def test_header_scorer_sees_cells_without_bom_and_padding() -> None:
    seen: list[list[str]] = []

    def spy(cells: list[str]) -> int:
        seen.append(cells)
        return 0

    choose_header([["\ufeff Email ", "Name\t"]], spy)
    assert seen == [["Email", "Name"]]


@pytest.mark.parametrize(
    ("cells", "names"),
    [
        (["Email", "Name"], ["Email", "Name"]),
        (["", " ", "Email"], ["column_1", "column_2", "Email"]),
        (["Email", "email", "EMAIL"], ["Email", "email (2)", "EMAIL (3)"]),
        (["Email", "Email", "Email (2)"], ["Email", "Email (3)", "Email (2)"]),
        (["column_2", ""], ["column_2", "column_2 (2)"]),
    ],
)
def test_header_names_are_made_non_empty_and_unique(cells: list[str], names: list[str]) -> None:
    assert unique_headers(cells) == names


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n4;5,5;6\n", ";"),
        ("a\tb\n1\t2, 3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('Title, with comma\n\nEmail;Name\n"x;y";z\na;b\n', ";"),
        ('"a,b";c\n"d,e";f\n"g,h";i\n', ";"),
        ("Email\nx@example.com\n", ","),
        ("", ","),
    ],
)
def test_delimiter_is_the_one_that_splits_records_consistently(sample: str, delimiter: str) -> None:
    assert detect_delimiter(sample, complete=True) == delimiter


def test_delimiter_detection_ignores_a_record_cut_off_by_the_sample() -> None:
    sample = "a;b\n1;2\n3;4\n5;6\n" + '"x,y,z,w,v,u'
    assert detect_delimiter(sample, complete=False) == ";"


def encoding_of(data: bytes, override: str | None = None) -> TextEncoding:
    return choose_encoding(io.BytesIO(data), "f.csv", override)


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (b"\xef\xbb\xbfEmail\n", "utf-8-sig"),
        ("\ufeffEmail\n".encode("utf-16-le"), "utf-16"),
        ("\ufeffEmail\n".encode("utf-16-be"), "utf-16"),
        ("\ufeffEmail\n".encode("utf-32-le"), "utf-32"),
        (b"Email\nJos\xc3\xa9\n", "utf-8"),
        (b"Email\nJos\xe9\n", "cp1252"),
    ],
)
def test_encoding_comes_from_the_bom_else_strict_utf8_else_windows_1252(
    data: bytes, codec: str
) -> None:
    assert encoding_of(data).codec == codec


def test_utf8_split_across_read_chunks_is_still_utf8() -> None:
    from leadport.readers.encoding import CHUNK

    data = b"a" * (CHUNK - 1) + "é".encode() + b"z" * 10
    assert encoding_of(data) == UTF8
    assert encoding_of(data[:CHUNK]) == WINDOWS_1252


def test_encoding_override_is_normalised_and_keeps_the_utf8_bom_out() -> None:
    assert encoding_of(b"x", "Windows-1252") == WINDOWS_1252
    assert encoding_of(b"\xef\xbb\xbfx", "UTF8").codec == "utf-8-sig"


@pytest.mark.parametrize("name", ["no-such-codec", "base64", "utf-9"])
def test_encoding_override_must_be_a_text_encoding(name: str) -> None:
    with pytest.raises(UsageError, match=f"^Unknown encoding {name!r}"):
        encoding_of(b"x", name)


def test_nul_bytes_outside_utf16_mean_binary_data() -> None:
    with pytest.raises(InputFileError, match="it contains binary data"):
        encoding_of(b"Email\n" + b"\x00\x01" * 500 + b"\xff")
    with pytest.raises(InputFileError, match="it contains binary data"):
        encoding_of(b"Email\x00\n", "latin-1")


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (1000, "1,000 bytes"), (2048, "2.0 KiB"), (2 * 1024**3, "2.0 GiB")],
)
def test_sizes_read_as_in_a_file_manager(size: int, text: str) -> None:
    assert human_bytes(size) == text


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [("sep=|\nEmail,Name\n", "|"), ("sep=\t\r\n", "\t"), ("\ufeffsep=;", ";"), ("sep=x\n", None)],
)
def test_a_sep_line_declares_the_delimiter(sample: str, delimiter: str | None) -> None:
    assert declared_delimiter(sample) == delimiter

"""Tell an XLSX workbook from delimited text by content, and refuse other binary files early.

The extension is only a hint: people rename files, and mail gateways rename them for them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from leadport.errors import InputFileError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Leading bytes of binary formats people upload by mistake, with the words to name them.
_KNOWN_BINARY = (
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def not_a_table(file_name: str, why: str) -> InputFileError:
    return InputFileError(f"{file_name} is not a CSV or XLSX file: {why}.", file=file_name)


def detect_format(path: Path, file_name: str, head: bytes) -> str:
    """Return "xlsx" or "text" from the file's first bytes; refuse what is neither."""
    if head.startswith(ZIP_MAGIC):
        return _check_zip(path, file_name)
    if head.startswith(OLE2_MAGIC):
        raise not_a_table(
            file_name,
            "it is an old-format (.xls) or password-protected Excel file; "
            "save it as an unprotected .xlsx workbook or as CSV",
        )
    for magic, what in _KNOWN_BINARY:
        if head.startswith(magic):
            raise not_a_table(file_name, f"it is {what}")
    return "text"


def _check_zip(path: Path, file_name: str) -> str:
    """A ZIP is an XLSX only when it holds an Excel workbook part (not a .docx, .ods or plain zip)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        raise not_a_table(file_name, "it is a damaged ZIP or XLSX file") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        raise not_a_table(file_name, "it is an OpenDocument file; save it as .xlsx or CSV")
    raise not_a_table(file_name, "it is a ZIP archive without an Excel workbook inside")

"""Pick the delimiter (`,` `;` tab `|`) from the first records of a file.

A delimiter is right when it splits most records into the same number of cells (two or more).
Parsing each candidate with `csv` keeps quoted fields intact, and counting the most common width
ignores title or note lines above the header and footer lines below, which break
`csv.Sniffer` on exports such as LinkedIn's.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from itertools import islice

CANDIDATES = (",", ";", "\t", "|")
SAMPLE_RECORDS = 50

# Some tools write a first line `sep=;` so that Excel splits the file right; it says it all.
_SEP_LINE = re.compile(r"\ufeff?sep=([,;\t|])[ \t]*(?:\r\n|\r|\n|$)")


def declared_delimiter(sample: str) -> str | None:
    """The delimiter named by a `sep=X` first line, if the file starts with one."""
    match = _SEP_LINE.match(sample)
    return match.group(1) if match else None


def detect_delimiter(sample: str, *, complete: bool) -> str:
    """The candidate whose most common width is shared by the most records; `,` when none splits.

    `complete` says whether `sample` is the whole file; if not, its last record may be cut short
    and is left out.
    """
    declared = declared_delimiter(sample)
    if declared is not None:
        return declared
    best, best_score = ",", (0, 0, 0)
    for rank, delimiter in enumerate(reversed(CANDIDATES)):
        widths = _widths(sample, delimiter, complete=complete)
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = (count, width, rank) if width > 1 else (0, 0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _widths(sample: str, delimiter: str, *, complete: bool) -> list[int]:
    """Cell counts of the sample's non-blank records when split by `delimiter`."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    records = list(islice(reader, SAMPLE_RECORDS + 1))
    if not complete and len(records) > 1:
        records = records[:-1]
    return [len(r) for r in records[:SAMPLE_RECORDS] if "".join(r).strip()]

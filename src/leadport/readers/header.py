"""Find the header among the first records, and make its names usable as column keys.

`csv.Sniffer.has_header` said "no header" for every real lead file we tried; matching cells
against the known field names (the mapping's synonyms) finds it, also below title or note lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

HEADER_SEARCH_RECORDS = 30

Scorer = Callable[[list[str]], int]


def default_scorer() -> Scorer:
    """The mapping's own judgement of "how many cells name a lead field", so both always agree."""
    from leadport.domain.mapping import header_score

    return header_score


def clean_header_cell(cell: str) -> str:
    """Header names lose surrounding white space and any stray byte-order mark, nothing else."""
    return cell.replace("\ufeff", "").strip()


def choose_header(candidates: Sequence[list[str]], score: Scorer | None = None) -> int:
    """Index of the header among non-blank candidate records.

    The first record naming two or more known fields wins, else the first naming one, else the
    first record: one match alone could be a title such as "Email list", two rarely are.
    """
    scorer = score or default_scorer()
    scores = [scorer([clean_header_cell(c) for c in cells]) for cells in candidates]
    for wanted in (2, 1):
        for index, value in enumerate(scores):
            if value >= wanted:
                return index
    return 0


def unique_headers(cells: list[str]) -> list[str]:
    """Non-empty, distinct names: an empty header becomes `column_N` (N its 1-based position);
    a repeated one gets ` (2)`, ` (3)`… in order of appearance. Names compare case-insensitively
    because the mapping does, so `Email` and `EMAIL` would otherwise collide downstream.
    """
    names = [clean_header_cell(c) or f"column_{i}" for i, c in enumerate(cells, start=1)]
    taken = {n.casefold() for n in names}
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        key = name.casefold()
        if key in seen:
            name = _next_free(name, taken)
            taken.add(name.casefold())
        seen.add(key)
        result.append(name)
    return result


def _next_free(name: str, taken: set[str]) -> str:
    n = 2
    while f"{name} ({n})".casefold() in taken:
        n += 1
    return f"{name} ({n})"

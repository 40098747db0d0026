"""Header → field mapping: synonyms, then content, then the user's overrides (PRODUCT.md §3).

Exact synonym matches on a folded header key only: fuzzy matching mapped "Direct Dial" to "mail"
at a score of 60, and a wrong guess costs more than a custom field the user can remap.

Rules, in the order they apply:
- `leadport_*` columns (the rejected-rows report's own) are not imported, unless overridden.
- `ignore` and overrides fix a column; nothing below changes a fixed column.
- A `custom:NAME` header is the custom field NAME (how exports keep a custom field whose name
  alone would map elsewhere, such as `Title`), unless overridden.
- Headers map by synonym (`synonyms.py`); `Name` beside a first-name column and no last-name
  column is the last name (`Vorname;Name`).
- Content: a column whose samples are mostly LinkedIn profile URLs (or mostly emails) maps to
  `linkedin_url` (or `email`) whatever its header says, unless another column already maps there
  by header or override, or an earlier column took it by content. A company LinkedIn column never
  does; a generic header (`URL`, `Profile URL`) holding no LinkedIn URLs is not `linkedin_url`.
- Two columns on one field: an override wins, then a regular profile column over a Sales
  Navigator one, then the first column; the others become custom fields. Tag columns all count.
- Every other column becomes `custom:<header as written, stripped>`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from leadport.domain import synonyms
from leadport.domain.identity import normalize_email, normalize_linkedin
from leadport.domain.model import LEAD_FIELDS
from leadport.errors import UsageError

CUSTOM = "custom:"
IGNORE = "ignore"
OWN_PREFIX = "leadport_"
TARGETS: tuple[str, ...] = (*LEAD_FIELDS, "full_name", "tags")
# `company_legal_suffix` (model.EXTRA_TARGETS) is not a lead field: it is kept as a custom field.
_ALIASES = {"company_legal_suffix": CUSTOM + "company_legal_suffix"}
CONTENT_SHARE = 0.6
CONTENT_MIN = 3


@lru_cache(maxsize=8192)
def header_key(header: str) -> str:
    """Casefolded, accents stripped, punctuation and space dropped: "E-mail Address" →
    "emailaddress", so one synonym entry covers every way of writing it."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _keys(headers: tuple[str, ...]) -> frozenset[str]:
    return frozenset(header_key(h) for h in headers)


_BY_KEY: dict[str, str] = {
    header_key(h): target for target, names in synonyms.SYNONYMS.items() for h in names
}
_BY_KEY.update({header_key(t): t for t in TARGETS})
_COMPANY_LINKEDIN = _keys(synonyms.COMPANY_LINKEDIN)
_WEAK_LINKEDIN = _keys(synonyms.WEAK_LINKEDIN)
_SECONDARY = _keys(synonyms.SECONDARY_LINKEDIN)
_LAST_NAME_WHEN_FIRST = frozenset({"name", "naam"})


def is_own_column(header: str) -> bool:
    """leadport's report columns (`leadport_row`, `leadport_code`…): a rejected-rows file
    re-imports as it is."""
    return header.strip().casefold().startswith(OWN_PREFIX)


@lru_cache(maxsize=8192)
def field_for_header(header: str) -> str | None:
    """The target a header names by itself, or None; `Contact Email` is `Email`."""
    key = header_key(header)
    if not key or is_own_column(header) or key in _COMPANY_LINKEDIN:
        return None
    if key in _BY_KEY:
        return _BY_KEY[key]
    for prefix in synonyms.PERSON_PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in _BY_KEY:
            return _BY_KEY[key[len(prefix) :]]
    return None


def header_score(cells: list[str]) -> int:
    """How many cells name a known field: the readers find the header below title lines with it."""
    return sum(1 for c in cells if c and len(c) < 80 and field_for_header(c) is not None)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Per column: a lead field, `full_name`, `tags`, `custom:<name>`, or None (not imported)."""

    headers: tuple[str, ...]
    targets: tuple[str | None, ...]

    def as_dict(self) -> dict[str, str]:
        """Header → target, `ignore` for columns not imported: the form overrides and saved
        mappings take, so a saved mapping replays exactly."""
        return {
            h: IGNORE if t is None else t for h, t in zip(self.headers, self.targets, strict=True)
        }

    def full_name_header(self) -> str:
        """The header of the full-name column: the custom field its values are kept in."""
        index = self.by_field().get("full_name")
        return "full_name" if index is None else self.headers[index].strip() or "full_name"

    def by_field(self) -> dict[str, int]:
        """Lead field (or `full_name`, `tags`) → the first column mapped to it."""
        found: dict[str, int] = {}
        for i, target in enumerate(self.targets):
            if target is not None and not target.startswith(CUSTOM):
                found.setdefault(target, i)
        return found


def suggest_mapping(headers: list[str], samples: list[list[str]]) -> dict[int, str]:
    """Column index → field, from headers and content alone (no custom fields): the wizard's
    first proposal."""
    planned = _plan(headers, samples, {})
    return {i: t for i, t in enumerate(planned) if t is not None and not t.startswith(CUSTOM)}


def resolve_mapping(
    headers: list[str],
    samples: list[list[str]],
    *,
    overrides: dict[str, str] | None = None,
    ignore: list[str] | None = None,
) -> ColumnMapping:
    """The mapping an import runs with; a wrong override is refused before any row is read."""
    fixed: dict[int, str | None] = {}
    for header in ignore or []:
        fixed[_column(headers, header)] = None
    for header, target in (overrides or {}).items():
        fixed[_column(headers, header)] = _check_target(header, target)
    return ColumnMapping(tuple(headers), tuple(_plan(headers, samples, fixed)))


def _plan(
    headers: list[str], samples: list[list[str]], fixed: dict[int, str | None]
) -> list[str | None]:
    fixed = {**_declared_custom(headers), **fixed}
    guessed = {i: field_for_header(h) for i, h in enumerate(headers) if i not in fixed}
    _name_beside_first_name(headers, guessed)
    _weak_linkedin(headers, samples, guessed)
    _by_content(headers, samples, fixed, guessed)
    targets: list[str | None] = [
        fixed[i] if i in fixed else guessed[i] for i in range(len(headers))
    ]
    _dedupe(headers, targets, set(fixed))
    for i, header in enumerate(headers):
        if targets[i] is None and i not in fixed and not is_own_column(header):
            targets[i] = _custom(headers, i)
    return targets


def _declared_custom(headers: list[str]) -> dict[int, str | None]:
    """Columns whose header is `custom:NAME` (any case), as the custom field NAME."""
    found: dict[int, str | None] = {}
    for i, header in enumerate(headers):
        text = header.strip()
        name = text[len(CUSTOM) :].strip()
        if text[: len(CUSTOM)].casefold() == CUSTOM and name:
            found[i] = CUSTOM + name
    return found


def _custom(headers: list[str], index: int) -> str:
    return CUSTOM + (headers[index].strip() or f"column_{index + 1}")


def _name_beside_first_name(headers: list[str], guessed: dict[int, str | None]) -> None:
    """`Vorname;Name` and `Voornaam;Naam`: beside a first name, a lone `Name` is the last name."""
    found = set(guessed.values())
    if "first_name" not in found or "last_name" in found:
        return
    for i, target in guessed.items():
        if target == "full_name" and header_key(headers[i]) in _LAST_NAME_WHEN_FIRST:
            guessed[i] = "last_name"
            return


def _weak_linkedin(
    headers: list[str], samples: list[list[str]], guessed: dict[int, str | None]
) -> None:
    """`URL` is LinkedIn's own export header; a `URL` column of websites is not a profile."""
    for i, target in guessed.items():
        if target == "linkedin_url" and header_key(headers[i]) in _WEAK_LINKEDIN:
            values = _column_values(samples, i)
            if values and not _mostly(values, _is_linkedin_profile):
                guessed[i] = None


def _by_content(
    headers: list[str],
    samples: list[list[str]],
    fixed: dict[int, str | None],
    guessed: dict[int, str | None],
) -> None:
    claimed = {t for t in (*fixed.values(), *guessed.values()) if t is not None}
    for i in guessed:
        header = headers[i]
        if is_own_column(header):
            continue
        found = _content_field(_column_values(samples, i), _may_be_linkedin(header))
        if found is not None and found != guessed[i] and found not in claimed:
            guessed[i] = found
            claimed.add(found)


def _may_be_linkedin(header: str) -> bool:
    key = header_key(header)
    if key in _COMPANY_LINKEDIN:
        return False
    return "linkedin" not in key or not any(w in key for w in synonyms.COMPANY_WORDS)


def _content_field(values: list[str], may_be_linkedin: bool) -> str | None:
    if not values:
        return None
    if may_be_linkedin and _mostly(values, _is_linkedin_profile):
        return "linkedin_url"
    if _mostly(values, _is_email):
        return "email"
    return None


def _column_values(samples: list[list[str]], index: int) -> list[str]:
    """The column's non-blank sample cells."""
    return [row[index].strip() for row in samples if index < len(row) and row[index].strip()]


def _mostly(values: list[str], test: Callable[[str], bool]) -> bool:
    """At least 60% of the non-blank values, and at least 3 of them (all, when fewer)."""
    hits = sum(1 for v in values if test(v))
    return hits >= CONTENT_SHARE * len(values) and hits >= min(CONTENT_MIN, len(values))


def _is_linkedin_profile(value: str) -> bool:
    return "linkedin." in value.casefold() and normalize_linkedin(value).key is not None


def _is_email(value: str) -> bool:
    return "@" in value and normalize_email(value).valid


def _dedupe(headers: list[str], targets: list[str | None], explicit: set[int]) -> None:
    """One column per field: an override first, then a regular profile column before a Sales
    Navigator one, then the first; the others are kept as custom fields, never dropped."""

    def rank(i: int) -> tuple[bool, bool, int]:
        return i not in explicit, header_key(headers[i]) in _SECONDARY, i

    owner: dict[str, int] = {}
    for i in sorted(range(len(targets)), key=rank):
        target = targets[i]
        if target is None or target == "tags" or target.startswith(CUSTOM):
            continue
        if target in owner:
            targets[i] = _custom(headers, i)
        else:
            owner[target] = i


def _column(headers: list[str], name: str) -> int:
    """The column an override names: the header as written first, then by header key."""
    if name in headers:
        return headers.index(name)
    key = header_key(name)
    for i, header in enumerate(headers):
        if key and header_key(header) == key:
            return i
    raise UsageError(
        f"The mapping names the column {name!r}, which this file does not have "
        f"(its columns: {', '.join(headers)}).",
        detail={"column": name, "headers": list(headers)},
    )


def _check_target(header: str, target: str) -> str | None:
    text = target.strip()
    lowered = text.lower()
    if lowered == IGNORE:
        return None
    if lowered.startswith(CUSTOM) and text[len(CUSTOM) :].strip():
        return CUSTOM + text[len(CUSTOM) :].strip()
    if lowered in TARGETS:
        return lowered
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    raise UsageError(
        f"The mapping sends column {header!r} to {target!r}, which is not a field: use one of "
        f"{', '.join(TARGETS)}, custom:NAME or ignore.",
        detail={"column": header, "target": target, "fields": list(TARGETS)},
    )

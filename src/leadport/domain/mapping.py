"""Header → field mapping: synonyms first, then content, then the user's overrides.

Unmapped columns become custom fields; leadport's own report columns (`leadport_*`) are ignored
so a rejected-rows file re-imports as it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from leadport.domain.identity import normalize_email, normalize_linkedin
from leadport.domain.model import LEAD_FIELDS
from leadport.domain.synonyms import COMPANY_LINKEDIN, SYNONYMS
from leadport.errors import UsageError

CUSTOM = "custom:"
IGNORE = "ignore"
TARGETS = (*LEAD_FIELDS, "full_name", "tags")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """Casefolded, accents stripped, punctuation and spaces gone: "E-mail Address" → "emailaddress"."""
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", text)


_BY_KEY: dict[str, str] = {}
for _field, _names in SYNONYMS.items():
    for _name in _names:
        _BY_KEY.setdefault(header_key(_name), _field)
_COMPANY_LINKEDIN = frozenset(header_key(h) for h in COMPANY_LINKEDIN)
for _f in TARGETS:
    _BY_KEY.setdefault(header_key(_f), _f)


def field_for_header(header: str) -> str | None:
    key = header_key(header)
    if key in _COMPANY_LINKEDIN or key.startswith("leadport"):
        return None
    return _BY_KEY.get(key)


def header_score(cells: list[str]) -> int:
    """How many cells name a known field: finds the header below title or note lines."""
    return sum(1 for c in cells if c and len(c) < 80 and field_for_header(c) is not None)


@dataclass(frozen=True)
class ColumnMapping:
    """Per column: a lead field, `full_name`, `tags`, `custom:<name>`, or None (not imported)."""

    headers: tuple[str, ...]
    targets: tuple[str | None, ...]

    def as_dict(self) -> dict[str, str]:
        return {
            h: (t if t is not None else IGNORE)
            for h, t in zip(self.headers, self.targets, strict=True)
        }

    def column_of(self, target: str) -> int | None:
        return self.targets.index(target) if target in self.targets else None


def suggest_mapping(headers: list[str], samples: list[list[str]]) -> dict[int, str]:
    """Column index → target from headers and content; first column wins a field."""
    found: dict[int, str] = {}
    taken: set[str] = set()
    for i, header in enumerate(headers):
        target = field_for_header(header)
        if target and (target not in taken or target == "tags"):
            found[i] = target
            taken.add(target)
    for i, header in enumerate(headers):
        if header_key(header) in _COMPANY_LINKEDIN or header_key(header).startswith("leadport"):
            continue
        by_content = _content_target([row[i] for row in samples if i < len(row)])
        if (
            by_content
            and by_content not in taken
            and found.get(i) in (None, "full_name", "company_domain")
        ):
            found[i] = by_content
            taken.add(by_content)
    return found


def _content_target(values: list[str]) -> str | None:
    filled = [v.strip() for v in values if v and v.strip()]
    if not filled:
        return None
    need = max(1, int(len(filled) * 0.6 + 0.999))
    if sum(1 for v in filled if "linkedin.com/" in v.lower() and normalize_linkedin(v).key) >= need:
        return "linkedin_url"
    if sum(1 for v in filled if "@" in v and normalize_email(v).valid) >= need:
        return "email"
    return None


def resolve_mapping(
    headers: list[str],
    samples: list[list[str]],
    *,
    overrides: dict[str, str] | None = None,
    ignore: list[str] | None = None,
) -> ColumnMapping:
    suggested = suggest_mapping(headers, samples)
    targets: list[str | None] = [suggested.get(i) for i in range(len(headers))]
    for header, target in (overrides or {}).items():
        targets[_column(headers, header, "--map")] = _check_target(header, target)
    for header in ignore or []:
        targets[_column(headers, header, "--ignore")] = None
    explicit = {_column(headers, h, "--map") for h in overrides or {}}
    _dedupe(targets, explicit)
    for i, header in enumerate(headers):
        own_column = header_key(header).startswith("leadport")
        if (
            targets[i] is None
            and i not in explicit
            and not own_column
            and not _ignored(header, ignore)
        ):
            targets[i] = CUSTOM + header.strip()
    return ColumnMapping(tuple(headers), tuple(targets))


def _ignored(header: str, ignore: list[str] | None) -> bool:
    keys = {header_key(h) for h in ignore or []}
    return header in (ignore or []) or header_key(header) in keys


def _dedupe(targets: list[str | None], explicit: set[int]) -> None:
    """Two columns on one lead field: an explicit override wins, else the first column."""
    owner: dict[str, int] = {}
    for i in sorted(range(len(targets)), key=lambda i: (i not in explicit, i)):
        t = targets[i]
        if t is None or t.startswith(CUSTOM) or t == "tags":
            continue
        if t in owner:
            targets[i] = None
        else:
            owner[t] = i


def _column(headers: list[str], header: str, option: str) -> int:
    if header in headers:
        return headers.index(header)
    key = header_key(header)
    for i, h in enumerate(headers):
        if header_key(h) == key:
            return i
    raise UsageError(
        f"{option} names the column {header!r}, but the file has no such header "
        f"(headers: {', '.join(headers)})."
    )


def _check_target(header: str, target: str) -> str | None:
    t = target.strip()
    if t == IGNORE:
        return None
    if t.startswith(CUSTOM) and len(t) > len(CUSTOM):
        return t
    if t in TARGETS:
        return t
    raise UsageError(
        f"--map {header}={target}: {target!r} is not a field; use one of "
        f"{', '.join(TARGETS)}, custom:NAME or ignore."
    )


def mapping_from_dict(headers: list[str], saved: dict[str, Any]) -> dict[str, str]:
    return {h: str(t) for h, t in saved.items() if h in headers}

"""The optional cleaning step after mapping ("AI columns"), pluggable.

A transform takes a record (field → value; custom fields as `custom:<name>`, plus `full_name`)
and returns it cleaned. Built-ins are below; others plug in through the entry-point group
`leadport.transforms` (a model-backed transform is just another object with `apply`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Protocol

from cleanco import basename
from nameparser import HumanName

from leadport.domain.identity import email_domain, is_free_mail, normalize_email
from leadport.errors import UsageError

ENTRY_POINT_GROUP = "leadport.transforms"


class Transform(Protocol):
    name: str
    description: str

    def apply(self, record: dict[str, str]) -> dict[str, str]: ...


@lru_cache(maxsize=65536)
def _proper(name: str) -> str:
    if not (name.isupper() or name.islower()):
        return name  # already mixed case: trust the person who typed it
    parsed = HumanName(name)
    parsed.capitalize(force=True)
    text = str(parsed)
    return text if text else name


@lru_cache(maxsize=65536)
def _split(full: str) -> tuple[str, str]:
    parsed = HumanName(full)
    return parsed.first, " ".join(p for p in (parsed.middle, parsed.last) if p)


@lru_cache(maxsize=65536)
def _strip_suffix(company: str) -> tuple[str, str]:
    base = basename(company).strip(" ,.")
    if not base or base == company:
        return company, ""
    suffix = company[len(base) :].strip(" ,.") if company.startswith(base) else ""
    return base, suffix


@dataclass(frozen=True)
class ProperCaseNames:
    name: str = "proper_case_names"
    description: str = "Names in ALL CAPS or all lower case get proper case (McDonald, O'Neil)."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        for key in ("first_name", "last_name", "full_name"):
            if record.get(key):
                record[key] = _proper(record[key])
        return record


@dataclass(frozen=True)
class SplitFullName:
    name: str = "split_full_name"
    description: str = "A full-name column fills empty first and last names."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        full = record.get("full_name")
        if full and not (record.get("first_name") or record.get("last_name")):
            first, last = _split(full)
            if first:
                record["first_name"] = first
            if last:
                record["last_name"] = last
        return record


@dataclass(frozen=True)
class DomainFromEmail:
    name: str = "domain_from_email"
    description: str = "An empty company domain comes from a work email (never a free-mail one)."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        if record.get("company_domain") or not record.get("email"):
            return record
        check = normalize_email(record["email"])
        if check.valid and check.value:
            domain = email_domain(check.value)
            if not is_free_mail(domain):
                record["company_domain"] = domain
        return record


@dataclass(frozen=True)
class StripLegalSuffix:
    name: str = "strip_legal_suffix"
    description: str = "Legal suffixes (Inc., GmbH, SAS…) move from the company name to custom:company_legal_suffix."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        company = record.get("company_name")
        if company:
            base, suffix = _strip_suffix(company)
            record["company_name"] = base
            if suffix:
                record["custom:company_legal_suffix"] = suffix
        return record


BUILTIN_TRANSFORMS: dict[str, Transform] = {
    t.name: t for t in (ProperCaseNames(), SplitFullName(), DomainFromEmail(), StripLegalSuffix())
}


def installed_transforms() -> dict[str, Transform]:
    found: dict[str, Transform] = dict(BUILTIN_TRANSFORMS)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.load())
    return found


def load_transforms(
    names: list[str], registry: Mapping[str, Transform] | None = None
) -> list[Transform]:
    if not names:
        return []
    available = registry if registry is not None else installed_transforms()
    unknown = [n for n in names if n not in available]
    if unknown:
        raise UsageError(
            f"Unknown transform {unknown[0]!r}; available: {', '.join(sorted(available))}."
        )
    return [available[n] for n in names]

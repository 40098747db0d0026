"""Turn one raw record into a LeadInput: mapped, cleaned, transformed and normalized.

Pure and per-row; everything that needs the database happens later, a batch at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from leadport.domain.identity import (
    normalize_domain,
    normalize_email,
    normalize_linkedin,
    normalize_phone,
)
from leadport.domain.outcomes import RowWarning

FORMULA_STARTS = ("=", "+", "-", "@")
CUSTOM = "custom:"


class _Transform(Protocol):
    def apply(self, record: dict[str, str]) -> dict[str, str]: ...


@dataclass(slots=True)
class LeadInput:
    """A row ready for the account checks. `fields` holds non-empty lead fields only."""

    row: int
    cells: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    email_present: bool = False
    email_valid: bool = False
    linkedin_key: str | None = None
    name_key: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def email(self) -> str | None:
        return self.fields.get("email") if self.email_valid else None

    def identifiers(self) -> list[str]:
        """The identifiers this row claims, as stored in the in-file duplicate check."""
        keys = []
        if self.email:
            keys.append("e:" + self.email)
        if self.linkedin_key:
            keys.append("l:" + self.linkedin_key)
        return keys


def clean_cell(value: str) -> str:
    """Trim, drop NUL characters (no database keeps them in text), and undo the leading quote
    that exports put before formula characters."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def split_tags(value: str) -> list[str]:
    parts = value.replace(";", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


def gather_record(
    cells: list[str], targets: tuple[str | None, ...]
) -> tuple[dict[str, str], list[str]]:
    """Mapped, cleaned, non-empty values keyed by target, and the tags from tag columns."""
    record: dict[str, str] = {}
    tags: list[str] = []
    for target, raw in zip(targets, cells, strict=False):
        if target is None:
            continue
        value = clean_cell(raw)
        if not value:
            continue
        if target == "tags":
            tags.extend(split_tags(value))
        elif target not in record:
            record[target] = value
    return record, tags


def build_lead_input(
    row: int,
    cells: list[str],
    targets: tuple[str | None, ...],
    *,
    transforms: list[_Transform],
    region: str | None,
    import_tags: list[str],
) -> LeadInput:
    record, row_tags = gather_record(cells, targets)
    for transform in transforms:
        record = transform.apply(record)
    lead = LeadInput(row=row, cells=cells)
    for key, value in record.items():
        if not value:
            continue
        if key.startswith(CUSTOM):
            lead.custom[key[len(CUSTOM) :]] = value
        elif key != "full_name":
            lead.fields[key] = value
    lead.tags = _unique(row_tags + import_tags)
    _normalize_identity(lead, region)
    return lead


def _normalize_identity(lead: LeadInput, region: str | None) -> None:
    fields = lead.fields
    if "email" in fields:
        check = normalize_email(fields["email"])
        lead.email_present = check.value is not None
        lead.email_valid = check.valid
        if check.value is None:
            del fields["email"]
        else:
            fields["email"] = check.value
    if "linkedin_url" in fields:
        li = normalize_linkedin(fields["linkedin_url"])
        if li.value is None:
            del fields["linkedin_url"]
        else:
            fields["linkedin_url"] = li.value
            lead.linkedin_key = li.key
            if not li.recognized:
                lead.warnings.append(RowWarning.LINKEDIN_UNRECOGNIZED)
    if "phone" in fields:
        phone = normalize_phone(fields["phone"], region)
        if phone.value is None:
            del fields["phone"]
        else:
            fields["phone"] = phone.value
            if not phone.parsed:
                lead.warnings.append(RowWarning.PHONE_UNPARSEABLE)
    if "company_domain" in fields:
        domain = normalize_domain(fields["company_domain"])
        if domain:
            fields["company_domain"] = domain
    lead.name_key = name_key(fields)


def name_key(fields: dict[str, str]) -> str | None:
    """First name, last name and company domain, casefolded: how possible duplicates are found."""
    first, last, domain = (fields.get(k) for k in ("first_name", "last_name", "company_domain"))
    if not (first and last and domain):
        return None
    return f"{first.casefold()}|{last.casefold()}|{domain.casefold()}"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))

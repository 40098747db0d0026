"""Turn one raw record into a LeadInput: mapped, cleaned, transformed and normalized.

Pure and per-row; everything that needs the database happens later, a batch at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


# What a row that may add a lead also carries for the database (db/import_writes.py,
# `new_lead_payload`): worked out where the row is built, which may be another process.
Prepare = Callable[["LeadInput"], object]


@dataclass(slots=True)
class LeadInput:
    """A row ready for the account checks. `fields` holds non-empty lead fields only.

    `email` is the normalized email when it is valid (else None) and `keys` the identifiers the
    row claims in the in-file duplicate check; both are set once the row is normalized.
    """

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
    email: str | None = None
    keys: tuple[str, ...] = ()
    prepared: object = None  # the new lead's columns for the database, when the row may add one

    def identifiers(self) -> tuple[str, ...]:
        """The identifiers this row claims, as stored in the in-file duplicate check."""
        return self.keys


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
    builder = LeadBuilder(targets, transforms=transforms, region=region, import_tags=import_tags)
    return builder.build(row, cells)


_FIELD, _CUSTOM, _TAGS = range(3)


class LeadBuilder:
    """`build_lead_input` for one import: what each column becomes is worked out once.

    Without transforms, cells go straight to the lead's fields and custom fields, in column
    order, the first non-empty value of a target winning (what `gather_record` gives); with
    transforms, the record is gathered whole, transformed, then split.

    A full-name column is kept as the custom field `full_name_field` (its header), so no cell
    is lost; `split_full_name` also fills empty first and last names from it.

    `prepare` gives a row that may add a lead its `prepared` columns: when rows are built in a
    second process (services/build_process.py), that work leaves the process that decides.
    """

    def __init__(
        self,
        targets: tuple[str | None, ...],
        *,
        transforms: Sequence[_Transform],
        region: str | None,
        import_tags: list[str],
        full_name_field: str = "full_name",
        prepare: Prepare | None = None,
    ) -> None:
        self.targets = targets
        self.prepare = prepare
        self.full_name_field = full_name_field
        self.transforms = transforms
        self.region = region
        self.import_tags = _unique(import_tags)
        self.columns: list[tuple[int, str, int]] = []
        for index, target in enumerate(targets):
            if target is None:
                continue
            if target == "tags":
                self.columns.append((index, target, _TAGS))
            elif target.startswith(CUSTOM):
                self.columns.append((index, target[len(CUSTOM) :], _CUSTOM))
            elif target == "full_name":
                self.columns.append((index, full_name_field, _CUSTOM))
            else:
                self.columns.append((index, target, _FIELD))
        # Where no target repeats and no column holds tags, a row with no NUL and no quote mark
        # is cleaned by stripping alone: two comprehensions instead of a step per cell.
        self._fields_at = tuple((i, t) for i, t, kind in self.columns if kind == _FIELD)
        self._custom_at = tuple((i, t) for i, t, kind in self.columns if kind == _CUSTOM)
        targets_once = all(
            len({t for _, t in at}) == len(at) for at in (self._fields_at, self._custom_at)
        )
        self._plain = targets_once and all(kind != _TAGS for _, _, kind in self.columns)
        self._width = max((i + 1 for i, _, _ in self.columns), default=0)

    def build(self, row: int, cells: list[str]) -> LeadInput:
        if self.transforms:
            return self._build_transformed(row, cells)
        if self._plain and len(cells) >= self._width:
            joined = "".join(cells)
            if "\x00" not in joined and "'" not in joined:
                return self._finish(
                    LeadInput(
                        row,
                        cells,
                        {t: v for i, t in self._fields_at if (v := cells[i].strip())},
                        {t: v for i, t in self._custom_at if (v := cells[i].strip())},
                        list(self.import_tags),
                    )
                )
        fields: dict[str, str] = {}
        custom: dict[str, str] = {}
        row_tags: list[str] | None = None
        width = len(cells)
        for index, target, kind in self.columns:
            if index >= width:
                break
            value = cells[index]
            if not value:
                continue
            if "\x00" in value:
                value = value.replace("\x00", "")
            value = value.strip()
            if not value:
                continue
            if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
                value = value[1:]
            if kind == _FIELD:
                if target not in fields:
                    fields[target] = value
            elif kind == _CUSTOM:
                if target not in custom:
                    custom[target] = value
            elif kind == _TAGS:
                if row_tags is None:
                    row_tags = []
                row_tags.extend(split_tags(value))
        tags = _unique(row_tags + self.import_tags) if row_tags else list(self.import_tags)
        return self._finish(LeadInput(row, cells, fields, custom, tags))

    def _build_transformed(self, row: int, cells: list[str]) -> LeadInput:
        record, row_tags = gather_record(cells, self.targets)
        for transform in self.transforms:
            record = transform.apply(record)
        lead = LeadInput(row=row, cells=cells)
        for key, value in record.items():
            if not value:
                continue
            if key.startswith(CUSTOM):
                lead.custom.setdefault(key[len(CUSTOM) :], value)
            elif key == "full_name":
                lead.custom.setdefault(self.full_name_field, value)
            else:
                lead.fields[key] = value
        lead.tags = _unique(row_tags + self.import_tags)
        return self._finish(lead)

    def _finish(self, lead: LeadInput) -> LeadInput:
        """Identity normalized, then the database's columns for a row that may add a lead."""
        _normalize_identity(lead, self.region)
        if self.prepare is not None and lead.keys:
            lead.prepared = self.prepare(lead)
        return lead


def _normalize_identity(lead: LeadInput, region: str | None) -> None:
    fields = lead.fields
    email = fields.get("email")
    if email is not None:
        check = normalize_email(email)
        lead.email_present = check.value is not None
        lead.email_valid = check.valid
        if check.value is None:
            del fields["email"]
        else:
            fields["email"] = check.value
            if check.valid:
                lead.email = check.value
    url = fields.get("linkedin_url")
    if url is not None:
        li = normalize_linkedin(url)
        if li.value is None:
            del fields["linkedin_url"]
        else:
            fields["linkedin_url"] = li.value
            lead.linkedin_key = li.key
            if not li.recognized:
                lead.warnings.append(RowWarning.LINKEDIN_UNRECOGNIZED)
    phone_text = fields.get("phone")
    if phone_text is not None:
        phone = normalize_phone(phone_text, region)
        if phone.value is None:
            del fields["phone"]
        else:
            fields["phone"] = phone.value
            if not phone.parsed:
                lead.warnings.append(RowWarning.PHONE_UNPARSEABLE)
    domain_text = fields.get("company_domain")
    if domain_text is not None:
        domain = normalize_domain(domain_text)
        if domain:
            fields["company_domain"] = domain
    lead.name_key = name_key(fields)
    if lead.email:
        lead.keys = (
            ("e:" + lead.email, "l:" + lead.linkedin_key)
            if lead.linkedin_key
            else ("e:" + lead.email,)
        )
    elif lead.linkedin_key:
        lead.keys = ("l:" + lead.linkedin_key,)


def name_key(fields: dict[str, str]) -> str | None:
    """First name, last name and company domain, casefolded: how possible duplicates are found."""
    first = fields.get("first_name")
    last = fields.get("last_name")
    domain = fields.get("company_domain")
    if not (first and last and domain):
        return None
    return f"{first.casefold()}|{last.casefold()}|{domain.casefold()}"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))

"""The optional cleaning step after mapping (the "AI columns"), pluggable (PRODUCT.md §3).

A transform takes a record (lead field → value, plus `full_name` and `custom:<name>`; blank cells
are absent) and returns it cleaned. Built-ins never overwrite a value the file gave, and they
commute, so the order they are listed in does not matter. Others plug in through the entry-point
group `leadport.transforms`: any object (or class) with `name`, `description` and `apply`, such as
a model-backed name cleaner. Libraries are slow per call (nameparser ≈ 200 µs, cleanco ≈ 68 µs)
and values repeat, so each result is cached by value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Protocol, runtime_checkable

from cleanco import basename
from nameparser import HumanName

from leadport.domain.identity import email_domain, is_free_mail, normalize_domain, normalize_email
from leadport.errors import UsageError

ENTRY_POINT_GROUP = "leadport.transforms"
LEGAL_SUFFIX = "custom:company_legal_suffix"
_CACHE = 1 << 15


@runtime_checkable
class Transform(Protocol):
    name: str
    description: str

    def apply(self, record: dict[str, str]) -> dict[str, str]: ...


# ------------------------------------------------------------------------------ proper case names

_SEPARATORS = re.compile(r"([\s\-'’]+)")
# Lowercase inside a name ("Vincent van Gogh", "Maria de la Cruz"), capitalized when first.
_PARTICLE_WORDS = "af av d da das de del della der des di do dos du e la le ten ter van von y zu"
_PARTICLES = frozenset(_PARTICLE_WORDS.split())
_ROMAN = frozenset({"ii", "iii", "iv"})


@lru_cache(maxsize=_CACHE)
def proper_case(name: str) -> str:
    """`jean-PIERRE o'NEIL` → `Jean-Pierre O'Neil`, `mcdonald` → `McDonald`; a name whose words
    are already properly cased (`DiCaprio`, `van Gogh`) is left as the person wrote it."""
    parts = _SEPARATORS.split(name)
    words = parts[::2]
    if not any(_miscased(w) for w in words):
        return name
    out: list[str] = []
    for i, part in enumerate(parts):
        after_space = i > 1 and parts[i - 1].isspace()
        out.append(part if i % 2 else _case_word(part, particle_ok=after_space))
    return "".join(out)


def _miscased(word: str) -> bool:
    """All lower case (a particle aside), or shouted in capitals (an initial or `III` aside)."""
    lower = word.lower()
    if word.islower():
        return lower not in _PARTICLES
    return word.isupper() and sum(c.isalpha() for c in word) > 1 and lower not in _ROMAN


def _case_word(word: str, *, particle_ok: bool) -> str:
    lower = word.lower()
    if particle_ok and lower in _PARTICLES:
        return lower
    if lower in _ROMAN:
        return lower.upper()
    if lower.startswith("mc") and len(lower) > 2:
        return "Mc" + lower[2].upper() + lower[3:]
    return lower[:1].upper() + lower[1:]


class ProperCaseNames:
    name = "proper_case_names"
    description = "First, last and full names in ALL CAPS or all lower case get proper case."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        for key in ("first_name", "last_name", "full_name"):
            if value := record.get(key):
                record[key] = proper_case(value)
        return record


# -------------------------------------------------------------------------------- split full name

_GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})
_INITIAL = re.compile(r"\w\.?")


@lru_cache(maxsize=_CACHE)
def split_name(full: str) -> tuple[str, str]:
    """(first, last) of a full name; `Doe, John` and `Dr. John Doe` both give (John, Doe).

    Middle words join the last name (`Juan García López` → `García López`: Spanish and
    Portuguese double surnames, and nothing is lost); middle initials, titles and credentials
    (`PhD`) are dropped, generational suffixes (`Jr.`, `III`) stay with the last name.
    """
    parsed = HumanName(full)
    middle = [w for w in parsed.middle.split() if not _INITIAL.fullmatch(w)]
    suffix = [
        w for w in parsed.suffix.replace(",", " ").split() if w.lower().strip(".") in _GENERATIONAL
    ]
    last = " ".join([*middle, *parsed.last.split(), *suffix])
    return parsed.first, last


class SplitFullName:
    name = "split_full_name"
    description = "A full name fills the first and last names that are empty."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        full = record.get("full_name")
        if not full or (record.get("first_name") and record.get("last_name")):
            return record
        first, last = split_name(full)
        if first and not record.get("first_name"):
            record["first_name"] = first
        if last and not record.get("last_name"):
            record["last_name"] = last
        return record


# ------------------------------------------------------------------------------ domain from email


class DomainFromEmail:
    name = "domain_from_email"
    description = "An empty company domain comes from a work email, never from a free-mail one."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        email = record.get("email")
        if not email or record.get("company_domain"):
            return record
        check = normalize_email(email)
        if not check.valid or check.value is None:
            return record
        domain = email_domain(check.value)
        if not is_free_mail(domain):
            record["company_domain"] = normalize_domain(domain) or domain
        return record


# ----------------------------------------------------------------------------- strip legal suffix


@lru_cache(maxsize=_CACHE)
def split_legal_suffix(company: str) -> tuple[str, str]:
    """(name, suffix): `Acme Corp., Inc.` → (`Acme Corp`, `Inc.`), by cleanco's suffix list.

    One pass only, so a brand word that is also a legal term (`Corp`) survives; a name that is
    nothing but a suffix (`Inc.`) is left whole.
    """
    text = " ".join(company.split())
    base = basename(text)
    if not base or base == text or not text.startswith(base):
        return company, ""
    return base.rstrip(" .,"), text[len(base) :].strip(" ,")


class StripLegalSuffix:
    name = "strip_legal_suffix"
    description = "Legal suffixes (Inc., GmbH, S.A.S.…) move from the company name to custom:company_legal_suffix."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        company = record.get("company_name")
        if not company:
            return record
        base, suffix = split_legal_suffix(company)
        if suffix:
            record["company_name"] = base
            record.setdefault(LEGAL_SUFFIX, suffix)
        return record


BUILTIN_TRANSFORMS: dict[str, Transform] = {
    t.name: t for t in (ProperCaseNames(), SplitFullName(), DomainFromEmail(), StripLegalSuffix())
}


# ----------------------------------------------------------------------------------------- loading


def _entry_points() -> Iterable[EntryPoint]:
    return entry_points(group=ENTRY_POINT_GROUP)


def load_transforms(
    names: list[str], registry: Mapping[str, Transform] | None = None
) -> list[Transform]:
    """The transforms named, in order, duplicates once. Without a registry: the built-ins, then
    installed plugins (a plugin is imported only when named, so a broken one harms no other
    import); a built-in name cannot be taken over by a plugin."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        return []
    available = dict(BUILTIN_TRANSFORMS if registry is None else registry)
    plugins = {ep.name: ep for ep in _entry_points()} if registry is None else {}
    loaded: list[Transform] = []
    for name in wanted:
        if name in available:
            loaded.append(available[name])
        elif name in plugins:
            loaded.append(_load_plugin(name, plugins[name]))
        else:
            known = ", ".join(sorted({*available, *plugins}))
            raise UsageError(
                f"Unknown transform {name!r}; available: {known}.", detail={"transform": name}
            )
    return loaded


def _load_plugin(name: str, entry: EntryPoint) -> Transform:
    try:
        found = entry.load()
        plugin = found() if isinstance(found, type) else found
    except Exception as exc:
        raise UsageError(
            f"The transform {name!r} ({entry.value}) could not be loaded: {exc}."
        ) from exc
    if not callable(getattr(plugin, "apply", None)):
        raise UsageError(f"The transform {name!r} ({entry.value}) has no apply(record) method.")
    return plugin

"""Put field values back on leads that stay: a rollback returns each changed field from the
import's after-value to its before-value, a restore does the reverse.

A value is only replaced while the lead still holds the value we expect; otherwise someone
changed it since, the newer value stays, and the pass lists it. The work goes through
`archived_field_values` a page of leads at a time (its key is (import_id, lead_id, field)), so
memory does not grow with the import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress
from operator import ne
from typing import Any

from sqlalchemy import Connection

from leadport.db.bulk import as_json, bulk_update
from leadport.db.engine import is_sqlite
from leadport.db.lead_lookups import select_in
from leadport.domain.identity import normalize_linkedin
from leadport.domain.lead_input import name_key
from leadport.domain.model import LEAD_FIELDS

PAGE = 10_000
UPDATE_COLUMNS = (*LEAD_FIELDS, "linkedin_key", "custom_fields", "tags", "name_key", "updated_at")
_N = len(LEAD_FIELDS)
_CUSTOM, _TAGS = UPDATE_COLUMNS.index("custom_fields"), UPDATE_COLUMNS.index("tags")
_URL, _LINKEDIN_KEY = UPDATE_COLUMNS.index("linkedin_url"), UPDATE_COLUMNS.index("linkedin_key")
_NAME_KEY = UPDATE_COLUMNS.index("name_key")
_POSITIONS = range(len(UPDATE_COLUMNS))
_NAME_PARTS = tuple(UPDATE_COLUMNS.index(f) for f in ("first_name", "last_name", "company_domain"))
_EMAIL = UPDATE_COLUMNS.index("email")
_UPDATED_AT = UPDATE_COLUMNS.index("updated_at")
# "+workspace_id": look up by id; SQLite would otherwise walk an index on (workspace_id, …),
# every lead of the workspace, for each page.
_LEADS = (
    "SELECT id, " + ", ".join(UPDATE_COLUMNS) + " FROM leads WHERE +workspace_id = ? AND id {IN}"
)
# A page of (lead_id, field, before, after, lead_updated_at), each lead's fields in the order the
# import first changed them, so that custom fields and tags it added come back in their original
# order (they are appended one by one). "+import_id": look up by lead (the index on import_id
# would scan the whole import for each row).
_PAGE = """
    SELECT a.lead_id, a.field, a.before_value, a.after_value, a.lead_updated_at
    FROM archived_field_values a
    WHERE a.import_id = :x AND a.lead_id > :after
    ORDER BY a.lead_id, coalesce((SELECT min(c.id) FROM lead_changes c
        WHERE c.lead_id = a.lead_id AND c.field = a.field AND +c.import_id = :x), 0), a.field
    LIMIT :n
"""


class _Lead:
    """A lead as read (`stored`) and as the pass leaves it (`values`), both in UPDATE_COLUMNS
    order; its custom fields and tags are decoded when first asked for."""

    __slots__ = ("_custom", "_tags", "extra", "id", "stored", "values")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.id: int = row[0]
        self.stored = row[1:]
        self.values = list(self.stored)
        self.extra: dict[str, Any] = {}  # a field name that is none of the lead's columns
        self._custom: dict[str, Any] | None = None
        self._tags: list[str] | None = None

    @property
    def custom(self) -> dict[str, Any]:
        if self._custom is None:
            self._custom = _json(self.stored[_CUSTOM], {})
        return self._custom

    @property
    def tags(self) -> list[str]:
        if self._tags is None:
            self._tags = _json(self.stored[_TAGS], [])
        return self._tags

    @tags.setter
    def tags(self, value: list[str]) -> None:
        self._tags = value


@dataclass
class FieldPass:
    """What a pass did: values replaced, leads touched, and newer values it left alone."""

    applied: int = 0
    leads: int = 0
    kept: list[dict[str, Any]] = field(default_factory=list)
    not_applied: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Direction:
    """rollback: after → before, updated_at now; restore: before → after, updated_at as it was."""

    restore: bool
    now: Any


def run_field_pass(
    conn: Connection, workspace_id: int, import_id: int, direction: Direction, write: bool
) -> FieldPass:
    result = FieldPass()
    for page in _pages(conn, import_id):
        leads = _load(conn, workspace_id, sorted({row[0] for row in page}))
        taken = _taken(conn, workspace_id, page, direction)
        changed = _apply_page(page, leads, taken, direction, result)
        if write and changed:
            _write(conn, changed)
        result.leads += len(changed)
    return result


def _pages(conn: Connection, import_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """Pages of (lead_id, field, before, after, lead_updated_at), never splitting a lead."""
    dbapi: Any = conn.connection.dbapi_connection
    sql = _PAGE if is_sqlite(conn) else re.sub(r":(\w+)", r"%(\1)s", _PAGE)
    after = -1
    while True:
        params = {"x": import_id, "after": after, "n": PAGE}
        if is_sqlite(conn):
            rows = dbapi.execute(sql, params).fetchall()
        else:
            with dbapi.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall()
        if not rows:
            return
        if len(rows) == PAGE and rows[0][0] != rows[-1][0]:
            last = rows[-1][0]
            rows = [r for r in rows if r[0] != last]
        after = rows[-1][0]
        yield rows


def _load(conn: Connection, workspace_id: int, ids: list[int]) -> dict[int, _Lead]:
    return {row[0]: _Lead(row) for row in select_in(conn, _LEADS, (workspace_id,), ids)}


def _write(conn: Connection, changed: list[_Lead]) -> None:
    """Write each lead's columns that now differ from what was read, grouped by column set
    (an index is only rewritten when its column is written)."""
    groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    for lead in changed:
        new = _update_row(lead)
        diff = tuple(compress(_POSITIONS, map(ne, new, lead.stored)))
        if diff:
            groups.setdefault(diff, []).append((*(new[i] for i in diff), lead.id))
    for diff, rows in groups.items():
        bulk_update(conn, "leads", [UPDATE_COLUMNS[i] for i in diff], rows)


def _taken(
    conn: Connection, workspace_id: int, page: list[tuple[Any, ...]], direction: Direction
) -> dict[tuple[str, str], int]:
    """Which lead holds each email or LinkedIn URL the page would put back."""
    wanted: dict[str, list[str]] = {"email": [], "linkedin_key": []}
    for _, name, before, after, _ in page:
        target = after if direction.restore else before
        if target is None or name not in ("email", "linkedin_url"):
            continue
        if name == "email":
            wanted["email"].append(target)
        elif key := normalize_linkedin(target).key:
            wanted["linkedin_key"].append(key)
    taken: dict[tuple[str, str], int] = {}
    for column, values in wanted.items():
        sql = f"SELECT id, {column} FROM leads WHERE workspace_id = ? AND {column} {{IN}}"
        for lead_id, value in select_in(conn, sql, (workspace_id,), values) if values else ():
            taken[(column, value)] = lead_id
    return taken


def _apply_page(
    page: list[tuple[Any, ...]],
    leads: dict[int, _Lead],
    taken: dict[tuple[str, str], int],
    direction: Direction,
    out: FieldPass,
) -> list[_Lead]:
    changed: dict[int, _Lead] = {}
    for lead_id, name, before, after, updated_at in page:
        expected, target = (before, after) if direction.restore else (after, before)
        lead = leads.get(lead_id)
        if lead is None:
            out.not_applied.append((lead_id, name))
            continue
        current = get_value(lead, name)
        if current != expected or not _identifier_free(name, target, lead, taken):
            out.kept.append({"email": lead.values[_EMAIL], "field": name, "value": current})
            out.not_applied.append((lead_id, name))
            continue
        set_value(lead, name, target)
        lead.values[_UPDATED_AT] = updated_at if direction.restore else direction.now
        changed[lead_id] = lead
        out.applied += 1
    return list(changed.values())


def _identifier_free(
    name: str, target: Any, lead: _Lead, taken: dict[tuple[str, str], int]
) -> bool:
    """An email or LinkedIn URL is only put back while no other lead holds it."""
    if name not in ("email", "linkedin_url") or target is None:
        return True
    key = ("email", target) if name == "email" else ("linkedin_key", normalize_linkedin(target).key)
    holder = taken.get(key) if key[1] else None  # type: ignore[arg-type]
    return holder is None or holder == lead.id


_COLUMN, _CUSTOM_FIELD, _TAG, _OTHER = range(4)
_KINDS: dict[str, tuple[int, Any]] = {name: (_COLUMN, i) for i, name in enumerate(LEAD_FIELDS)}


def _kind(name: str) -> tuple[int, Any]:
    """(what the field name designates, its column index or key), cached by name."""
    found = _KINDS.get(name)
    if found is None:
        if name.startswith("custom:"):
            found = (_CUSTOM_FIELD, name[7:])
        elif name.startswith("tag:"):
            found = (_TAG, name[4:])
        else:
            found = (_OTHER, name)
        if len(_KINDS) < 10_000:
            _KINDS[name] = found
    return found


def get_value(lead: _Lead, name: str) -> Any:
    kind, key = _kind(name)
    if kind == _COLUMN:
        return lead.values[key]
    if kind == _CUSTOM_FIELD:
        return lead.custom.get(key)
    if kind == _TAG:
        return "1" if key in lead.tags else None
    return lead.extra.get(key)


def set_value(lead: _Lead, name: str, value: Any) -> None:
    kind, key = _kind(name)
    if kind == _COLUMN:
        lead.values[key] = value
    elif kind == _CUSTOM_FIELD:
        if value is None:
            lead.custom.pop(key, None)
        else:
            lead.custom[key] = value
    elif kind == _TAG:
        if value is None:
            lead.tags = [t for t in lead.tags if t != key]
        elif key not in lead.tags:
            lead.tags.append(key)
    else:
        lead.extra[key] = value


def _update_row(lead: _Lead) -> list[Any]:
    """The lead's values in UPDATE_COLUMNS order. The LinkedIn key and the name key are
    derived again only when a field they come from changed; custom fields and tags are
    encoded again only when they were decoded."""
    values, stored = lead.values, lead.stored
    url = values[_URL]
    if url != stored[_URL]:
        values[_LINKEDIN_KEY] = normalize_linkedin(url).key if url else None
    if any(values[i] != stored[i] for i in _NAME_PARTS):
        values[_NAME_KEY] = name_key(dict(zip(LEAD_FIELDS, values, strict=False)))
    custom, tags = lead._custom, lead._tags
    if custom is not None:
        values[_CUSTOM] = as_json(custom) if custom else None
    if tags is not None:
        values[_TAGS] = as_json(tags) if tags else None
    return values


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value

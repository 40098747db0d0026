"""Put field values back on leads that stay: a rollback returns each changed field from the
import's after-value to its before-value, a restore does the reverse.

A value is only replaced while the lead still holds the value we expect; otherwise someone
changed it since, the newer value stays, and the pass lists it. The work goes through
`archived_field_values` a page of leads at a time (its key is (import_id, lead_id, field)), so
memory does not grow with the import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from leadport.db.bulk import as_json, bulk_update
from leadport.db.lead_lookups import select_in
from leadport.domain.identity import normalize_linkedin
from leadport.domain.lead_input import name_key
from leadport.domain.model import LEAD_FIELDS

PAGE = 2_000
UPDATE_COLUMNS = (*LEAD_FIELDS, "linkedin_key", "custom_fields", "tags", "name_key", "updated_at")
_LEADS = (
    "SELECT id, " + ", ".join(LEAD_FIELDS) + ", custom_fields, tags, updated_at"
    " FROM leads WHERE workspace_id = ? AND id {IN}"
)


@dataclass(slots=True)
class _Lead:
    id: int
    fields: dict[str, Any]
    custom: dict[str, Any]
    tags: list[str]
    updated_at: Any


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
        ids = sorted({row[0] for row in page})
        leads = _load(conn, workspace_id, ids)
        page.sort(key=_change_order(conn, import_id, ids))
        taken = _taken(conn, workspace_id, page, direction)
        changed = _apply_page(page, leads, taken, direction, result)
        if write and changed:
            bulk_update(conn, "leads", UPDATE_COLUMNS, [_update_row(lead) for lead in changed])
        result.leads += len(changed)
    return result


def _pages(conn: Connection, import_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """Pages of (lead_id, field, before, after, lead_updated_at), never splitting a lead."""
    after = -1
    while True:
        rows = [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT lead_id, field, before_value, after_value, lead_updated_at"
                    " FROM archived_field_values WHERE import_id = :x AND lead_id > :after"
                    " ORDER BY lead_id, field LIMIT :n"
                ),
                {"x": import_id, "after": after, "n": PAGE},
            )
        ]
        if not rows:
            return
        if len(rows) == PAGE and rows[0][0] != rows[-1][0]:
            last = rows[-1][0]
            rows = [r for r in rows if r[0] != last]
        after = rows[-1][0]
        yield rows


def _change_order(
    conn: Connection, import_id: int, ids: list[int]
) -> Callable[[tuple[Any, ...]], tuple[int, int]]:
    """Sort key: each lead's fields in the order the import changed them, so custom fields and
    tags it added come back in their original order (they are appended one by one)."""
    sql = (  # "+import_id": look up by lead (the index on import_id would scan the whole import)
        "SELECT lead_id, field, min(id) FROM lead_changes"
        " WHERE +import_id = ? AND lead_id {IN} GROUP BY lead_id, field"
    )
    first = {(r[0], r[1]): r[2] for r in select_in(conn, sql, (import_id,), ids)}
    return lambda row: (row[0], first.get((row[0], row[1]), 0))


def _load(conn: Connection, workspace_id: int, ids: list[int]) -> dict[int, _Lead]:
    n = len(LEAD_FIELDS)
    return {
        row[0]: _Lead(
            row[0],
            dict(zip(LEAD_FIELDS, row[1 : 1 + n], strict=True)),
            _json(row[1 + n], {}),
            _json(row[2 + n], []),
            row[3 + n],
        )
        for row in select_in(conn, _LEADS, (workspace_id,), ids)
    }


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
            out.kept.append({"email": lead.fields.get("email"), "field": name, "value": current})
            out.not_applied.append((lead_id, name))
            continue
        set_value(lead, name, target)
        lead.updated_at = updated_at if direction.restore else direction.now
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


def get_value(lead: _Lead, name: str) -> Any:
    if name.startswith("custom:"):
        return lead.custom.get(name[7:])
    if name.startswith("tag:"):
        return "1" if name[4:] in lead.tags else None
    return lead.fields.get(name)


def set_value(lead: _Lead, name: str, value: Any) -> None:
    if name.startswith("custom:"):
        if value is None:
            lead.custom.pop(name[7:], None)
        else:
            lead.custom[name[7:]] = value
    elif name.startswith("tag:"):
        tag = name[4:]
        if value is None:
            lead.tags = [t for t in lead.tags if t != tag]
        elif tag not in lead.tags:
            lead.tags.append(tag)
    else:
        lead.fields[name] = value


def _update_row(lead: _Lead) -> tuple[Any, ...]:
    f = lead.fields
    url = f.get("linkedin_url")
    return (
        *(f.get(name) for name in LEAD_FIELDS),
        normalize_linkedin(url).key if url else None,
        as_json(lead.custom) if lead.custom else None,
        as_json(lead.tags) if lead.tags else None,
        name_key(f),
        lead.updated_at,
        lead.id,
    )


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value

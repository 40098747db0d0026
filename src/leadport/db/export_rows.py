"""The rows of a lead export, streamed (server-side cursor on PostgreSQL), and the custom-field
names the export's header needs before its first row.

A campaign export is one row per membership with its status, the import that added it and its
activity counts per type; a workspace export is one row per lead with its campaigns and its
activity counts summed over them. Activity is counted in one GROUP BY, never per lead.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, text

from leadport.db.backup_rows import ACTIVITY_TYPES
from leadport.db.engine import is_sqlite
from leadport.domain.model import LEAD_FIELDS

STREAM = {"stream_results": True, "yield_per": 2_000}

_FIELDS = ", ".join(f"l.{f}" for f in LEAD_FIELDS)
_COUNTS = ", ".join(
    f"sum(CASE WHEN a.type = '{t}' THEN 1 ELSE 0 END) AS n_{t}" for t in ACTIVITY_TYPES
)
_ACT = ", ".join(f"coalesce(act.n_{t}, 0)" for t in ACTIVITY_TYPES)

_CAMPAIGN_ROWS = f"""
    SELECT l.id, {_FIELDS}, l.custom_fields, l.tags, m.status, m.import_id, {_ACT}
    FROM campaign_leads m
    JOIN leads l ON l.id = m.lead_id
    LEFT JOIN (SELECT a.campaign_lead_id, {_COUNTS} FROM activities a
               JOIN campaign_leads am ON am.id = a.campaign_lead_id
               WHERE am.campaign_id = :c GROUP BY a.campaign_lead_id) act
           ON act.campaign_lead_id = m.id
    WHERE m.campaign_id = :c
    ORDER BY l.id
"""

_WORKSPACE_ROWS = f"""
    SELECT l.id, {_FIELDS}, l.custom_fields, l.tags, c.name, m.status, {_ACT}
    FROM leads l
    LEFT JOIN campaign_leads m ON m.lead_id = l.id
    LEFT JOIN campaigns c ON c.id = m.campaign_id
    LEFT JOIN (SELECT a.campaign_lead_id, {_COUNTS} FROM activities a
               JOIN campaign_leads am ON am.id = a.campaign_lead_id
               JOIN campaigns ac ON ac.id = am.campaign_id
               WHERE ac.workspace_id = :w GROUP BY a.campaign_lead_id) act
           ON act.campaign_lead_id = m.id
    WHERE l.workspace_id = :w
    ORDER BY l.id, c.name, m.id
"""

_SQLITE_KEYS = """
    SELECT DISTINCT j.key FROM {source}, json_each(l.custom_fields) j
    WHERE {where} AND json_type(l.custom_fields) = 'object'
"""
_POSTGRES_KEYS = """
    SELECT DISTINCT k FROM {source} CROSS JOIN LATERAL json_object_keys(
        CASE WHEN json_typeof(l.custom_fields) = 'object' THEN l.custom_fields
             ELSE CAST('{{}}' AS json) END) k
    WHERE {where}
"""
_SCOPES = {
    "campaign": ("campaign_leads m JOIN leads l ON l.id = m.lead_id", "m.campaign_id = :c"),
    "workspace": ("leads l", "l.workspace_id = :w"),
}


@dataclass(slots=True)
class ExportRow:
    """One lead of an export. `status` and `import_id` are its membership's (campaign export);
    `campaigns` lists (campaign, status) of all its memberships (workspace export)."""

    lead_id: int
    fields: dict[str, Any]
    custom: dict[str, Any]
    tags: list[str]
    activity: dict[str, int]
    status: str | None = None
    import_id: int | None = None
    campaigns: list[tuple[str, str]] = field(default_factory=list)


def custom_field_names(
    conn: Connection, *, workspace_id: int, campaign_id: int | None
) -> list[str]:
    """Every custom-field name the exported leads hold, in a stable order (case-insensitive
    alphabetical, then exact)."""
    source, where = _SCOPES["workspace" if campaign_id is None else "campaign"]
    sql = (_SQLITE_KEYS if is_sqlite(conn) else _POSTGRES_KEYS).format(source=source, where=where)
    params = {"w": workspace_id} if campaign_id is None else {"c": campaign_id}
    names = [r[0] for r in conn.execute(text(sql), params) if r[0] is not None]
    return sorted(names, key=lambda n: (n.casefold(), n))


def campaign_rows(conn: Connection, campaign_id: int) -> Generator[ExportRow, None, None]:
    n = len(LEAD_FIELDS)
    result = conn.execute(text(_CAMPAIGN_ROWS), {"c": campaign_id}, execution_options=STREAM)
    with result:  # closes the server-side cursor also when the caller stops early
        for row in result:
            export = _lead(row, n)
            export.status, export.import_id = row[3 + n], row[4 + n]
            export.activity = _counts(row[5 + n :])
            yield export


def workspace_rows(conn: Connection, workspace_id: int) -> Generator[ExportRow, None, None]:
    """One row per lead: its memberships arrive as consecutive rows and are folded together."""
    n = len(LEAD_FIELDS)
    result = conn.execute(text(_WORKSPACE_ROWS), {"w": workspace_id}, execution_options=STREAM)
    with result:
        for _, group in groupby(result, key=lambda r: r[0]):
            yield _fold(list(group), n)


def _fold(rows: list[Any], n: int) -> ExportRow:
    export = _lead(rows[0], n)
    totals = dict.fromkeys(ACTIVITY_TYPES, 0)
    for row in rows:
        if row[3 + n] is not None:
            export.campaigns.append((row[3 + n], row[4 + n]))
        for t, count in _counts(row[5 + n :]).items():
            totals[t] += count
    export.activity = totals
    return export


def _lead(row: Any, n: int) -> ExportRow:
    return ExportRow(
        lead_id=row[0],
        fields=dict(zip(LEAD_FIELDS, row[1 : 1 + n], strict=True)),
        custom=_json(row[1 + n], {}),
        tags=_json(row[2 + n], []),
        activity={},
    )


def _counts(values: Any) -> dict[str, int]:
    return dict(zip(ACTIVITY_TYPES, (int(v or 0) for v in values), strict=True))


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    loaded = json.loads(value) if isinstance(value, str) else value
    return default if loaded is None else loaded

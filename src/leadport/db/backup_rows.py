"""What a rollback removes, read back for its backup CSV: each removed membership with its lead,
status and activity counts, then the deleted leads that had no membership of the import.

Run after `rollback_archive.archive_removed` and before `delete_removed`: the archive says what
goes, the live leads still hold the values. Rows are streamed (server-side cursor on PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from leadport.db.engine import is_sqlite
from leadport.domain.model import LEAD_FIELDS, ActivityType

ACTIVITY_TYPES: tuple[str, ...] = tuple(t.value for t in ActivityType)

_COUNTS = ", ".join(
    f"sum(CASE WHEN type = '{t}' THEN 1 ELSE 0 END) AS n_{t}" for t in ACTIVITY_TYPES
)
_FIELDS = ", ".join(f"l.{f}" for f in LEAD_FIELDS)
_ZEROES = ", ".join("0" for _ in ACTIVITY_TYPES)
_ACT = ", ".join(f"coalesce(act.n_{t}, 0)" for t in ACTIVITY_TYPES)

_ROWS = f"""
    SELECT c.name, m.status, l.id, {_FIELDS}, l.custom_fields, l.tags,
           CASE WHEN al.id IS NULL THEN 0 ELSE 1 END, {_ACT}
    FROM archived_memberships m
    JOIN leads l ON l.id = m.lead_id
    LEFT JOIN campaigns c ON c.id = m.campaign_id
    LEFT JOIN archived_leads al ON al.import_id = m.import_id AND al.id = m.lead_id
    LEFT JOIN (SELECT campaign_lead_id, {_COUNTS} FROM archived_activities
               WHERE import_id = :x GROUP BY campaign_lead_id) act
           ON act.campaign_lead_id = m.id
    WHERE m.import_id = :x
    UNION ALL
    SELECT NULL, NULL, l.id, {_FIELDS}, l.custom_fields, l.tags, 1, {_ZEROES}
    FROM archived_leads l
    WHERE l.import_id = :x AND NOT EXISTS (
        SELECT 1 FROM archived_memberships m WHERE m.import_id = :x AND m.lead_id = l.id)
"""

_SQLITE_KEYS = """
    SELECT DISTINCT j.key FROM archived_memberships m JOIN leads l ON l.id = m.lead_id,
        json_each(l.custom_fields) j WHERE m.import_id = :x AND l.custom_fields IS NOT NULL
    UNION SELECT DISTINCT j.key FROM archived_leads a, json_each(a.custom_fields) j
        WHERE a.import_id = :x AND a.custom_fields IS NOT NULL
"""
_POSTGRES_KEYS = """
    SELECT DISTINCT k FROM archived_memberships m JOIN leads l ON l.id = m.lead_id
        CROSS JOIN LATERAL json_object_keys(l.custom_fields) k
        WHERE m.import_id = :x AND l.custom_fields IS NOT NULL
    UNION SELECT DISTINCT k FROM archived_leads a
        CROSS JOIN LATERAL json_object_keys(a.custom_fields) k
        WHERE a.import_id = :x AND a.custom_fields IS NOT NULL
"""


@dataclass(frozen=True, slots=True)
class BackupRow:
    campaign: str | None
    status: str | None
    lead_id: int
    fields: dict[str, Any]
    custom: dict[str, Any]
    tags: list[str]
    lead_deleted: bool
    activity: dict[str, int]


def custom_field_names(conn: Connection, import_id: int) -> list[str]:
    sql = _SQLITE_KEYS if is_sqlite(conn) else _POSTGRES_KEYS
    return sorted(r[0] for r in conn.execute(text(sql), {"x": import_id}))


def backup_rows(conn: Connection, import_id: int) -> Iterator[BackupRow]:
    n = len(LEAD_FIELDS)
    result = conn.execute(
        text(_ROWS),
        {"x": import_id},
        execution_options={"stream_results": True, "yield_per": 2_000},
    )
    for row in result:
        yield BackupRow(
            campaign=row[0],
            status=row[1],
            lead_id=row[2],
            fields=dict(zip(LEAD_FIELDS, row[3 : 3 + n], strict=True)),
            custom=_json(row[3 + n], {}),
            tags=_json(row[4 + n], []),
            lead_deleted=bool(row[5 + n]),
            activity=dict(zip(ACTIVITY_TYPES, map(int, row[6 + n :]), strict=True)),
        )


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value

"""What a rollback removes, read for its backup CSV: each membership of the import with its lead,
status and activity counts (in membership order), then the leads it deletes that had no
membership of it (in lead order).

Read from the live tables as they are before the rollback changes anything, so that it can run
on a connection of its own beside the rollback's writes (see `services.rollback_files`). Rows
come straight from the driver's cursor in chunks (server-side on PostgreSQL), already in the
backup's column order: the lead fields, custom_fields, tags, campaign, status, then the lead
id, "yes"/"no" (deleted) and one count per activity type as one text ("12,yes,0,0,…").
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from typing import Any

from sqlalchemy import Connection

from leadport.db.engine import is_sqlite
from leadport.db.rollback_archive import CREATED_LEAD
from leadport.domain.model import LEAD_FIELDS, ActivityType

ACTIVITY_TYPES: tuple[str, ...] = tuple(t.value for t in ActivityType)
CHUNK = 5_000

_FIELDS = ", ".join(f"l.{f}" for f in LEAD_FIELDS)
_COUNTS = ", ".join(
    f"sum(CASE WHEN a.type = '{t}' THEN 1 ELSE 0 END) AS n_{t}" for t in ACTIVITY_TYPES
)
_ZEROES = "'" + ",0" * len(ACTIVITY_TYPES) + "'"
_ACT = " || ".join(f"',' || coalesce(act.n_{t}, 0)" for t in ACTIVITY_TYPES)
_DELETED = f"CASE WHEN {CREATED_LEAD} THEN ',yes' ELSE ',no' END"

# The last cells (lead id, deleted, the counts) are digits and yes/no: one text, commas and all.
_MEMBERSHIPS = f"""
    SELECT {_FIELDS}, l.custom_fields, l.tags, c.name, m.status,
           l.id || {_DELETED} || {{counts}}
    FROM campaign_leads m
    JOIN leads l ON l.id = m.lead_id
    LEFT JOIN campaigns c ON c.id = m.campaign_id
    {{join}}
    WHERE m.import_id = :x
    ORDER BY m.id
"""
# Per membership of the import, its activity counts; joined only when the import has activity.
_ACTIVITY_JOIN = f"""
    LEFT JOIN (SELECT a.campaign_lead_id, {_COUNTS}
               FROM activities a JOIN campaign_leads cl ON cl.id = a.campaign_lead_id
               WHERE cl.import_id = :x GROUP BY a.campaign_lead_id) act
           ON act.campaign_lead_id = m.id
"""
# Lead `l` is one the rollback deletes and no membership of the import holds (an import
# without campaign, a membership removed since): CREATED_LEAD with "no membership of the
# import" is a lead the import created that is in no campaign at all, which one look-up in the
# (lead_id) index answers.
_ORPHAN = """
    l.id IN (SELECT r.lead_id FROM import_row_leads r WHERE r.import_id = :x AND r.code = 'added')
      AND l.created_import_id = :x
      AND NOT EXISTS (SELECT 1 FROM campaign_leads cl WHERE cl.lead_id = l.id)
"""
_ORPHAN_ROWS = f"""
    SELECT {_FIELDS}, l.custom_fields, l.tags, NULL, NULL, l.id || ',yes' || {_ZEROES}
    FROM leads l WHERE {_ORPHAN} ORDER BY l.id
"""

_SQLITE_KEYS = f"""
    SELECT DISTINCT j.key FROM campaign_leads m JOIN leads l ON l.id = m.lead_id,
        json_each(l.custom_fields) j WHERE m.import_id = :x AND l.custom_fields IS NOT NULL
    UNION SELECT DISTINCT j.key FROM leads l, json_each(l.custom_fields) j
        WHERE l.custom_fields IS NOT NULL AND {_ORPHAN}
"""
_POSTGRES_KEYS = f"""
    SELECT DISTINCT k FROM campaign_leads m JOIN leads l ON l.id = m.lead_id
        CROSS JOIN LATERAL json_object_keys(l.custom_fields) k
        WHERE m.import_id = :x AND l.custom_fields IS NOT NULL
    UNION SELECT DISTINCT k FROM leads l CROSS JOIN LATERAL json_object_keys(l.custom_fields) k
        WHERE l.custom_fields IS NOT NULL AND {_ORPHAN}
"""


def custom_field_names(conn: Connection, import_id: int) -> list[str]:
    sql = _SQLITE_KEYS if is_sqlite(conn) else _POSTGRES_KEYS
    return sorted(row[0] for chunk in _chunks(conn, sql, import_id) for row in chunk)


def backup_chunks(
    conn: Connection, import_id: int, *, with_activity: bool
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The backup's rows in chunks; `with_activity` False (no membership of the import has any
    activity) leaves out the activity join."""
    counts, join = (_ACT, _ACTIVITY_JOIN) if with_activity else (_ZEROES, "")
    yield from _chunks(conn, _MEMBERSHIPS.format(counts=counts, join=join), import_id)
    yield from _chunks(conn, _ORPHAN_ROWS, import_id)


def _chunks(conn: Connection, sql: str, import_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of `sql` (one parameter, :x) from the driver's cursor, CHUNK at a time."""
    dbapi: Any = conn.connection.dbapi_connection
    if is_sqlite(conn):
        cursor = dbapi.execute(sql, {"x": import_id})
    else:
        cursor = dbapi.cursor(name=f"leadport_backup_{import_id}")
        cursor.execute(sql.replace(":x", "%(x)s"), {"x": import_id})
    try:
        while rows := cursor.fetchmany(CHUNK):
            yield rows
    finally:
        with contextlib.suppress(Exception):  # closed late, its transaction may be gone with it
            cursor.close()

"""Batch look-ups an import makes: one query per batch and kind, never one per row.

They run on the driver's cursor with plain SQL: on a million-row import, SQLAlchemy's per-query
compilation of large IN lists cost more than the queries themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from leadport.db.engine import is_sqlite
from leadport.db.schema import leads
from leadport.domain.campaign_policy import Membership
from leadport.domain.model import LEAD_FIELDS

CHUNK = 900


@dataclass(slots=True)
class ExistingLead:
    id: int
    fields: dict[str, Any]
    custom: dict[str, str]
    tags: list[str]
    email_status: str | None
    linkedin_key: str | None
    created_import_id: int | None = None
    memberships: list[Membership] = field(default_factory=list)


def select_in(
    conn: Connection, sql: str, params: Sequence[Any], values: Sequence[Any]
) -> Iterator[tuple[Any, ...]]:
    """Rows of `sql … {IN}` where {IN} tests the last column against values, in chunks.

    On PostgreSQL never as a prepared statement. psycopg prepares a query after five runs, and
    the server may then keep one generic plan for it: made while the table was nearly empty, and
    with the array a parameter rather than values it can hash, such a plan compared each row with
    every value. 100-row API batches into a new database spent ≈ 27 ms of their ≈ 55 ms in
    look-ups that way; planned at each run, the batch takes ≈ 25 ms.
    """
    dbapi: Any = conn.connection.dbapi_connection
    unique = sorted(set(values))
    sqlite = is_sqlite(conn)
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        if sqlite:
            query = sql.replace("{IN}", "IN (" + ",".join("?" * len(chunk)) + ")")
            rows = dbapi.execute(query, (*params, *chunk)).fetchall()
        else:
            query = sql.replace("?", "%s").replace("{IN}", "= ANY(%s)")
            with dbapi.cursor() as cur:
                cur.execute(query, (*params, list(chunk)), prepare=False)  # see the docstring
                rows = cur.fetchall()
        yield from rows


def _loads(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


_LEAD_SELECT = (
    "SELECT id, " + ", ".join(LEAD_FIELDS) + ", custom_fields, tags, email_status, linkedin_key,"
    " created_import_id"
    " FROM leads WHERE workspace_id = ? AND {col} {IN}"
)
_N = len(LEAD_FIELDS)


def leads_by(
    conn: Connection, workspace_id: int, column: str, values: Sequence[str]
) -> dict[str, ExistingLead]:
    """Existing leads whose `email` or `linkedin_key` is one of values, keyed by that value."""
    assert column in ("email", "linkedin_key")
    found: dict[str, ExistingLead] = {}
    key_at = 1 + LEAD_FIELDS.index("email") if column == "email" else 4 + _N
    for row in select_in(conn, _LEAD_SELECT.replace("{col}", column), (workspace_id,), values):
        found[row[key_at]] = ExistingLead(
            id=row[0],
            fields=dict(zip(LEAD_FIELDS, row[1 : 1 + _N], strict=True)),
            custom=_loads(row[1 + _N], {}),
            tags=_loads(row[2 + _N], []),
            email_status=row[3 + _N],
            linkedin_key=row[4 + _N],
            created_import_id=row[5 + _N],
        )
    return found


def leads_with_name_keys(
    conn: Connection, workspace_id: int, keys: Sequence[str]
) -> dict[str, int]:
    sql = "SELECT name_key, min(id) FROM leads WHERE workspace_id = ? AND name_key {IN} GROUP BY name_key"
    return dict(select_in(conn, sql, (workspace_id,), keys))


def deleted_hashes(conn: Connection, workspace_id: int, hashes: Sequence[str]) -> set[str]:
    sql = "SELECT email_hash FROM deleted_emails WHERE workspace_id = ? AND email_hash {IN}"
    return {r[0] for r in select_in(conn, sql, (workspace_id,), hashes)}


def dnc_values(conn: Connection, workspace_id: int, values: Sequence[str]) -> set[str]:
    sql = "SELECT value FROM do_not_contact WHERE workspace_id = ? AND value {IN}"
    return {r[0] for r in select_in(conn, sql, (workspace_id,), values)}


def memberships_of(conn: Connection, lead_ids: Sequence[int]) -> dict[int, list[Membership]]:
    sql = (
        "SELECT cl.lead_id, c.id, c.name, cl.status FROM campaign_leads cl"
        " JOIN campaigns c ON c.id = cl.campaign_id WHERE cl.lead_id {IN}"
    )
    found: dict[int, list[Membership]] = {}
    for lead_id, cid, name, status in select_in(conn, sql, (), lead_ids):
        found.setdefault(lead_id, []).append(Membership(cid, name, status))
    return found


def has_any(conn: Connection, table: str, workspace_id: int) -> bool:
    """Whether a workspace's list (deleted emails, do-not-contact) holds anything at all."""
    dbapi: Any = conn.connection.dbapi_connection
    sql = f"SELECT 1 FROM {table} WHERE workspace_id = ? LIMIT 1"
    if is_sqlite(conn):
        return dbapi.execute(sql, (workspace_id,)).fetchone() is not None
    with dbapi.cursor() as cur:
        cur.execute(sql.replace("?", "%s"), (workspace_id,))
        return cur.fetchone() is not None


def count_leads(conn: Connection, workspace_id: int) -> int:
    stmt = select(func.count()).select_from(leads).where(leads.c.workspace_id == workspace_id)
    return int(conn.execute(stmt).scalar_one())

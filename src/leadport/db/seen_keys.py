"""The first row of each identifier seen in this file, without a map of every key.

Most keys are first seen on a row that adds a lead: the key is then that lead's email or
LinkedIn key, and the batch look-up of existing leads finds it again (a lead this import
created). Only the lead's row is kept, in a compact array indexed by lead id (4 bytes a lead).
The few keys first seen on a row that added nothing (modified, rejected) are kept by value: in a
dict while they are few, in a temporary table beyond that. Memory stays flat whatever the file's
size, and a fresh import of a million rows never writes or reads a million-key table.

When the workspace held no lead as the import began (its first import, typically), a lead found
by a look-up can only be one this import created: a Bloom filter of their emails and LinkedIn
keys then tells which values need a look-up at all (the workspace lock keeps others from adding
leads meanwhile). Its 16 MiB are taken whatever the file's size.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from sqlalchemy import Connection

from leadport.db.bulk import bulk_insert
from leadport.db.engine import is_sqlite
from leadport.db.lead_lookups import select_in

# Keys kept in memory before they move to the temporary table (≈ 150 bytes each).
IN_MEMORY_KEYS = 50_000
# Lead ids further than this from the first one this import created go to a dict: on
# PostgreSQL another workspace's import may draw ids from the same sequence in between.
MAX_ID_SPAN = 20_000_000


_FILTER_BITS = 1 << 27
_MASK = _FILTER_BITS - 1


class _ValueFilter:
    """A Bloom filter over strings with one probe (2^27 bits, 16 MiB): `in` may say yes for a
    value never added (about 1.5% at two million values: a look-up for nothing), never no for
    one that was. One probe in a bigger array costs a third of three probes in a smaller one, on
    a path taken twice per row."""

    def __init__(self) -> None:
        self._bits = bytearray(_FILTER_BITS >> 3)

    def add(self, value: str) -> None:
        i = hash(value) & _MASK
        self._bits[i >> 3] |= 1 << (i & 7)

    def __contains__(self, value: str) -> bool:
        i = hash(value) & _MASK
        return bool(self._bits[i >> 3] & (1 << (i & 7)))


class SeenKeys:
    def __init__(self, conn: Connection, *, workspace_had_leads: bool = True) -> None:
        self.conn = conn
        self._created = None if workspace_had_leads else _ValueFilter()
        self._keys: dict[str, int] = {}
        self._in_table = False
        self._base: int | None = None
        self._rows = array("I")
        self._far: dict[int, int] = {}

    # --- keys of rows that added a lead: the lead's id gives the row ---------------------------

    def may_exist(self, value: str) -> bool:
        """False when no lead can have this email or LinkedIn key: the look-up can be skipped."""
        return self._created is None or value in self._created

    def lead_added(self, lead_id: int, row: int, values: Sequence[str | None] = ()) -> None:
        if self._created is not None:
            for value in values:
                if value:
                    self._created.add(value)
        if self._base is None:
            self._base = lead_id
        at = lead_id - self._base
        if at < 0 or at >= MAX_ID_SPAN:
            self._far[lead_id] = row
            return
        if at >= len(self._rows):
            grow = max(at + 1 - len(self._rows), len(self._rows) // 2, 1024)
            self._rows.frombytes(bytes(grow * self._rows.itemsize))
        self._rows[at] = row

    def row_of_lead(self, lead_id: int) -> int | None:
        """The row that created this lead, when this import created it."""
        if self._base is not None and 0 <= (at := lead_id - self._base) < len(self._rows):
            return self._rows[at] or None
        return self._far.get(lead_id)

    # --- keys of rows that added nothing ------------------------------------------------------

    def first_rows(self, keys: Sequence[str]) -> dict[str, int]:
        """The first row of each of these keys among those recorded with `add`."""
        if self._in_table:
            sql = "SELECT key, row FROM lp_seen WHERE key {IN}"
            return dict(select_in(self.conn, sql, (), keys))
        known = self._keys
        if not known:
            return {}
        return {k: row for k in keys if (row := known.get(k)) is not None}

    def add(self, first_rows: dict[str, int]) -> None:
        if not first_rows:
            return
        if not self._in_table:
            self._keys.update(first_rows)
            if len(self._keys) <= IN_MEMORY_KEYS:
                return
            self._create_table()
            first_rows, self._keys = self._keys, {}
        bulk_insert(self.conn, "lp_seen", ("key", "row"), list(first_rows.items()))

    def _create_table(self) -> None:
        conn = self.conn
        if is_sqlite(conn):
            conn.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS lp_seen (key TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID"
            )
            conn.exec_driver_sql("DELETE FROM lp_seen")
        else:
            conn.exec_driver_sql("DROP TABLE IF EXISTS lp_seen")
            conn.exec_driver_sql(
                "CREATE TEMP TABLE lp_seen (key TEXT PRIMARY KEY, row INTEGER) ON COMMIT DROP"
            )
        self._in_table = True

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
    """A Bloom filter over strings with one probe (2^27 bits, 16 MiB): it may say yes for a
    value never added (about 1.5% at two million values: a look-up for nothing), never no for
    one that was. One probe in a bigger array costs a third of three probes in a smaller one, on
    a path taken twice per row."""

    def __init__(self) -> None:
        self._bits = bytearray(_FILTER_BITS >> 3)

    def add_all(self, values: Sequence[str]) -> None:
        bits = self._bits
        for value in values:
            i = hash(value) & _MASK
            bits[i >> 3] |= 1 << (i & 7)

    def which_may_be_in(self, values: Sequence[str]) -> list[str]:
        """The values that may have been added (a batch at a time: a call per value cost more
        than the probe itself)."""
        bits = self._bits
        return [v for v in values if bits[(i := hash(v) & _MASK) >> 3] & (1 << (i & 7))]


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

    def may_exist(self, values: Sequence[str]) -> list[str]:
        """Those of these emails or LinkedIn keys that a lead may have: the others need no
        look-up."""
        return list(values) if self._created is None else self._created.which_may_be_in(values)

    def leads_added(self, leads: Sequence[tuple[int, int]], values: Sequence[str]) -> None:
        """Leads this import created, as (lead id, row), and their emails and LinkedIn keys."""
        if self._created is not None:
            self._created.add_all(values)
        if not leads:
            return
        if self._base is None:
            self._base = leads[0][0]
        base, rows, far = self._base, self._rows, self._far
        top = max((at for lead_id, _ in leads if (at := lead_id - base) < MAX_ID_SPAN), default=-1)
        if top >= len(rows):
            grow = max(top + 1 - len(rows), len(rows) // 2, 1024)
            rows.frombytes(bytes(grow * rows.itemsize))
        for lead_id, row in leads:
            at = lead_id - base
            if 0 <= at < MAX_ID_SPAN:
                rows[at] = row
            else:
                far[lead_id] = row

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

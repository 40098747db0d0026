"""Rows taken without detail, stored a batch at a time

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 13:00:00

Nearly every row of a big import is taken without detail: its outcome is its row number, its
lead and its warnings. One `import_rows` record per such row was a third of the rows an import
writes (and about an eighth of PostgreSQL's work in a 1M-row import, docs/performance.md). Such
rows are now stored one record per batch and code pair: `row` is the first of them and
`taken_rows` holds them all as a JSON array of `[row, lead_id, warnings]` (warnings null or a
list). Rows with detail, and rows not taken, keep a record each.

The view `import_row_leads` (import_id, row, code, lead_id) gives every row of an import with
its lead either way, so the statements of a rollback stay one statement on both backends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_EXPANDED = {
    "sqlite": (
        "SELECT r.import_id, json_extract(t.value, '$[0]') AS row, r.code, r.campaign_code,"
        " json_extract(t.value, '$[1]') AS lead_id, json_extract(t.value, '$[2]') AS warnings"
        " FROM import_rows r, json_each(r.taken_rows) t WHERE r.taken_rows IS NOT NULL"
    ),
    "postgresql": (
        "SELECT r.import_id, (t.value->>0)::integer AS row, r.code, r.campaign_code,"
        " (t.value->>1)::integer AS lead_id, CASE WHEN json_typeof(t.value->2) = 'null' THEN NULL"
        " ELSE t.value->2 END AS warnings"
        " FROM import_rows r, json_array_elements(r.taken_rows) t"
        " WHERE r.taken_rows IS NOT NULL"
    ),
}


def _expanded() -> str:
    return _EXPANDED[op.get_bind().dialect.name]


def upgrade() -> None:
    op.add_column("import_rows", sa.Column("taken_rows", sa.JSON(), nullable=True))
    op.execute(
        "CREATE VIEW import_row_leads AS"
        " SELECT import_id, row, code, lead_id FROM import_rows WHERE taken_rows IS NULL"
        f" UNION ALL SELECT import_id, row, code, lead_id FROM ({_expanded()}) e"
    )


def downgrade() -> None:
    op.execute("DROP VIEW import_row_leads")
    rows = "import_id, row, code, campaign_code, lead_id, warnings"
    op.execute(f"CREATE TEMPORARY TABLE lp_taken AS SELECT {rows} FROM ({_expanded()}) e")
    op.execute("DELETE FROM import_rows WHERE taken_rows IS NOT NULL")
    op.execute(f"INSERT INTO import_rows ({rows}) SELECT {rows} FROM lp_taken")
    op.execute("DROP TABLE lp_taken")
    with op.batch_alter_table("import_rows") as batch:
        batch.drop_column("taken_rows")

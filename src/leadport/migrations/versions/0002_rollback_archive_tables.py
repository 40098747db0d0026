"""rollback archive tables: mirror tables instead of JSON documents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

A rollback keeps what it removes in tables that mirror leads, campaign_leads and activities (and
the field values it put back), so that both the rollback and the restore are one INSERT … SELECT
per table. `rollback_archive` (one JSON document per row) held nothing yet and is dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _key(table: str) -> sa.Column:
    return sa.Column(
        "import_id",
        sa.Integer(),
        sa.ForeignKey("imports.id", name=f"fk_{table}_import_id_imports", ondelete="CASCADE"),
        nullable=False,
    )


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("rollback_archive", schema=None) as batch_op:
        batch_op.drop_index("ix_rollback_archive_import")
    op.drop_table("rollback_archive")
    op.create_table(
        "archived_leads",
        _key("archived_leads"),
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("linkedin_url", sa.Text(), nullable=True),
        sa.Column("linkedin_key", sa.Text(), nullable=True),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("company_name", sa.Text(), nullable=True),
        sa.Column("company_domain", sa.Text(), nullable=True),
        sa.Column("job_title", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("custom_fields", sa.JSON(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("email_status", sa.String(length=20), nullable=True),
        sa.Column("created_import_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("restore_skip", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("import_id", "id", name="pk_archived_leads"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "archived_memberships",
        _key("archived_memberships"),
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("restore_skip", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("import_id", "id", name="pk_archived_memberships"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_archived_memberships_lead", "archived_memberships", ["import_id", "lead_id"]
    )
    op.create_table(
        "archived_activities",
        _key("archived_activities"),
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("campaign_lead_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        _ts("at"),
        sa.PrimaryKeyConstraint("import_id", "id", name="pk_archived_activities"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "archived_field_values",
        _key("archived_field_values"),
        sa.Column("lead_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("before_value", sa.Text(), nullable=True),
        sa.Column("after_value", sa.Text(), nullable=True),
        _ts("lead_updated_at"),
        sa.PrimaryKeyConstraint("import_id", "lead_id", "field", name="pk_archived_field_values"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backup_file_id", sa.Integer(), nullable=True))
        batch_op.add_column(_ts("restore_purged_at", nullable=True))
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_encoding", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_column("content_encoding")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("restore_purged_at")
        batch_op.drop_column("backup_file_id")
    op.drop_table("archived_field_values")
    op.drop_table("archived_activities")
    op.drop_index("ix_archived_memberships_lead", table_name="archived_memberships")
    op.drop_table("archived_memberships")
    op.drop_table("archived_leads")
    op.create_table(
        "rollback_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name="fk_rollback_archive_import_id_imports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rollback_archive"),
    )
    op.create_index("ix_rollback_archive_import", "rollback_archive", ["import_id"])

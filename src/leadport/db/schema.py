"""SQLAlchemy Core tables for all of PRODUCT.md. The database enforces identity.

Design notes (why, not what):
- Leads carry their normalized identifiers in `email` and `linkedin_key`; unique indexes per
  workspace make concurrent imports unable to create two leads for one identifier.
- `lead_changes` keeps, per import, each field's before- and after-value on leads that existed
  before it: a rollback can return them, and knows a field was edited since when the current
  value no longer equals the after-value.
- A rollback moves what it removes into archive tables that mirror the live ones
  (`archived_leads`, `archived_memberships`, `archived_activities`) plus `archived_field_values`
  (each field it returned to its before-value): both ways are one INSERT … SELECT per table, so
  a million-row rollback or restore stays set-based, and rows come back with their own ids and
  timestamps. Each archive row carries the rolled-back import's id; the restore, or the purge
  after the retention period, deletes them by that id.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


def _ts(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("plan", String(20), nullable=False, default="paid"),
    Column("lead_limit", Integer, nullable=True),
    Column("region", String(2), nullable=True),
    Column("default_policy", String(20), nullable=False, default="active"),
    Column("members_can_rollback", Boolean, nullable=False, default=False),
    _ts("created_at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=True),
    _ts("created_at"),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(20), nullable=False),
    _ts("created_at"),
    UniqueConstraint("workspace_id", "user_id", name="uq_members_workspace_user"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=True),
    Column("prefix", String(16), nullable=False, index=True),
    Column("key_hash", String(128), nullable=False),
    _ts("created_at"),
    _ts("last_used_at", nullable=True),
    _ts("revoked_at", nullable=True),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("state", String(20), nullable=False, default="draft"),
    Column("required_fields", JSON, nullable=False, default=list),
    Column("reject_invalid_leads", Boolean, nullable=False, default=False),
    _ts("created_at"),
    UniqueConstraint("workspace_id", "name", name="uq_campaigns_workspace_name"),
)

# On PostgreSQL, the workspace of a lead, the campaign of a membership and the import of an
# outcome row are checked once per statement by triggers, not per row by foreign keys: every row
# of an import names the same three (migration 0003). The rules they keep are those declared here.
leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    ),
    Column("email", String(320), nullable=True),
    Column("linkedin_url", Text, nullable=True),
    Column("linkedin_key", Text, nullable=True),
    Column("first_name", Text, nullable=True),
    Column("last_name", Text, nullable=True),
    Column("company_name", Text, nullable=True),
    Column("company_domain", Text, nullable=True),
    Column("job_title", Text, nullable=True),
    Column("phone", Text, nullable=True),
    Column("custom_fields", JSON, nullable=True),
    Column("tags", JSON, nullable=True),
    # casefolded "first|last|domain", set only when all three are present: possible duplicates
    Column("name_key", Text, nullable=True),
    Column("email_status", String(20), nullable=True),
    Column("created_import_id", Integer, nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("workspace_id", "email", name="uq_leads_workspace_email"),
    UniqueConstraint("workspace_id", "linkedin_key", name="uq_leads_workspace_linkedin"),
)
Index("ix_leads_name_key", leads.c.workspace_id, leads.c.name_key)

campaign_leads = Table(
    "campaign_leads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("lead_id", Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("import_id", Integer, nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("campaign_id", "lead_id", name="uq_campaign_leads_campaign_lead"),
)
Index("ix_campaign_leads_lead", campaign_leads.c.lead_id)
Index("ix_campaign_leads_import", campaign_leads.c.import_id)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "campaign_lead_id",
        Integer,
        ForeignKey("campaign_leads.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("type", String(20), nullable=False),
    _ts("at"),
)
Index("ix_activities_campaign_lead", activities.c.campaign_lead_id, activities.c.type)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    ),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    Column("source", String(10), nullable=False),
    Column("file_name", Text, nullable=True),
    Column("file_sha256", String(64), nullable=True),
    # Where an uploaded file waits for its background job.
    Column("file_path", Text, nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    Column("options", JSON, nullable=False),
    Column("state", String(20), nullable=False),
    Column("dry_run", Boolean, nullable=False, default=False),
    Column("rows_total", Integer, nullable=True),
    Column("rows_done", Integer, nullable=False, default=0),
    Column("progress_done", Integer, nullable=False, default=0),
    Column("progress_total", Integer, nullable=True),
    # {"rows_read", "account": {...}, "campaign": {...}|null, "codes": {...}, "mapping": {...}}
    Column("summary", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Column("repeat_of", Integer, nullable=True),
    Column("worker", String(200), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    _ts("created_at"),
    _ts("started_at", nullable=True),
    _ts("finished_at", nullable=True),
    _ts("rolled_back_at", nullable=True),
    Column("rolled_back_by", Integer, nullable=True),
    Column("backup_path", Text, nullable=True),
    # The rollback's backup CSV in stored_files, and when its restore data was purged.
    Column("backup_file_id", Integer, nullable=True),
    _ts("restore_purged_at", nullable=True),
    UniqueConstraint("workspace_id", "idempotency_key", name="uq_imports_workspace_idem"),
)
Index("ix_imports_workspace_sha", imports.c.workspace_id, imports.c.file_sha256)

# Per-row outcomes: a record per input row, except rows taken without detail (`taken_rows`).
# Rows not taken keep their original cells, so the rejected-rows CSV can be produced long after
# the upload is gone.
import_rows = Table(
    "import_rows",
    metadata,
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
    Column("row", Integer, primary_key=True),
    Column("code", String(30), nullable=False),
    Column("campaign_code", String(30), nullable=True),
    Column("lead_id", Integer, nullable=True),
    Column("warnings", JSON, nullable=True),
    Column("detail", JSON, nullable=True),
    Column("cells", JSON, nullable=True),  # the original cells, kept for rows not taken
    # Rows taken without detail, one record per batch and code pair (migration 0004): `row` is
    # the first, this the JSON array of [row, lead_id, warnings]; the view import_row_leads
    # gives every row's lead either way.
    Column("taken_rows", JSON, nullable=True),
    sqlite_with_rowid=False,
)

# Before/after values of every field and tag an import changed on a lead that existed before it.
# field: a lead field, "custom:<name>" or "tag:<name>" (old/new "1" present, NULL absent).
lead_changes = Table(
    "lead_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    Column("lead_id", Integer, nullable=False),
    Column("field", Text, nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
)
Index("ix_lead_changes_import", lead_changes.c.import_id)
Index("ix_lead_changes_lead", lead_changes.c.lead_id)


# What a rollback removed, kept for restore until the retention period ends. The first three
# mirror leads, campaign_leads and activities column for column, keyed by (import_id, id);
# `restore_skip` is set during a restore on rows it must leave out (identifier taken…).
def _archive_key() -> Column:
    return Column(
        "import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True
    )


archived_leads = Table(
    "archived_leads",
    metadata,
    _archive_key(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("workspace_id", Integer, nullable=False),
    Column("email", String(320), nullable=True),
    Column("linkedin_url", Text, nullable=True),
    Column("linkedin_key", Text, nullable=True),
    Column("first_name", Text, nullable=True),
    Column("last_name", Text, nullable=True),
    Column("company_name", Text, nullable=True),
    Column("company_domain", Text, nullable=True),
    Column("job_title", Text, nullable=True),
    Column("phone", Text, nullable=True),
    Column("custom_fields", JSON, nullable=True),
    Column("tags", JSON, nullable=True),
    Column("name_key", Text, nullable=True),
    Column("email_status", String(20), nullable=True),
    Column("created_import_id", Integer, nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    Column("restore_skip", Text, nullable=True),
    sqlite_with_rowid=False,
)

archived_memberships = Table(
    "archived_memberships",
    metadata,
    _archive_key(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("campaign_id", Integer, nullable=False),
    Column("lead_id", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    Column("restore_skip", Text, nullable=True),
    sqlite_with_rowid=False,
)
Index(
    "ix_archived_memberships_lead", archived_memberships.c.import_id, archived_memberships.c.lead_id
)

archived_activities = Table(
    "archived_activities",
    metadata,
    _archive_key(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("campaign_lead_id", Integer, nullable=False),
    Column("type", String(20), nullable=False),
    _ts("at"),
    sqlite_with_rowid=False,
)

# A field (as in lead_changes) that the rollback returned from after_value to before_value on a
# lead that stays; lead_updated_at is the lead's updated_at before the rollback touched it.
archived_field_values = Table(
    "archived_field_values",
    metadata,
    _archive_key(),
    Column("lead_id", Integer, primary_key=True, autoincrement=False),
    Column("field", Text, primary_key=True),
    Column("before_value", Text, nullable=True),
    Column("after_value", Text, nullable=True),
    _ts("lead_updated_at"),
    sqlite_with_rowid=False,
)

saved_mappings = Table(
    "saved_mappings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    ),
    Column("name", String(200), nullable=False),
    Column("mapping", JSON, nullable=False),
    _ts("created_at"),
    UniqueConstraint("workspace_id", "name", name="uq_saved_mappings_workspace_name"),
)

# Keyed hashes (HMAC-SHA256 with the secret key) of permanently deleted emails: no addresses kept.
deleted_emails = Table(
    "deleted_emails",
    metadata,
    Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("email_hash", String(64), primary_key=True),
    _ts("created_at"),
)

do_not_contact = Table(
    "do_not_contact",
    metadata,
    Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("value", String(320), primary_key=True),  # an email, or a domain
    Column("kind", String(10), nullable=False),  # email | domain
    _ts("created_at"),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    ),
    Column("member_id", Integer, nullable=True),
    Column("action", String(50), nullable=False),
    Column("subject", Text, nullable=True),
    Column("detail", JSON, nullable=True),
    _ts("at"),
)

# Removal memory (§6): a lead removed from a campaign by a member is not re-added by a sync.
removal_memory = Table(
    "removal_memory",
    metadata,
    Column(
        "campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("lead_key", Text, primary_key=True),
    _ts("created_at"),
)

# API batch idempotency lives on imports.idempotency_key; email sends are retried from here.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    _ts("created_at"),
    _ts("sent_at", nullable=True),
)

# Files leadport keeps for download (rollback backups), in the database so that every API
# process of a PostgreSQL deployment can serve them.
stored_files = Table(
    "stored_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    ),
    Column("name", Text, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("content", LargeBinary, nullable=False),
    # "gzip" when content is stored compressed (serve it with Content-Encoding: gzip), else NULL.
    Column("content_encoding", String(20), nullable=True),
    _ts("created_at"),
)

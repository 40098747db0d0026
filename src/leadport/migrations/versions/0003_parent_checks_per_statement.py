"""PostgreSQL: check an import's constant parents once per statement, not once per row

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 04:00:00

Every row an import writes names the same workspace (leads), campaign (campaign_leads) and
import (import_rows). As foreign keys, PostgreSQL checks each of those once per row, one query
each: a third of the server's time in a 1M-row import (docs/performance.md). Here the three
constraints become triggers that keep what the constraints guaranteed:

- after each INSERT statement on the child, every distinct parent id among the new rows must
  exist, and is locked `FOR KEY SHARE` until the transaction ends, as the constraint would lock
  it: a concurrent delete of the parent waits, then cascades to the new rows; an UPDATE that
  changes the column is checked the same way, row by row (as the constraint, it costs nothing
  when the column does not change);
- deleting a parent deletes its children (`ON DELETE CASCADE`);
- a parent's id cannot change while children use it (the constraint's `NO ACTION`).

SQLite keeps the declared constraints: its imports already run without foreign-key checks on
their connection (db/engine.py), so they cost it nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (child table, column, parent table, constraint it replaces)
PARENTS = (
    ("leads", "workspace_id", "workspaces", "fk_leads_workspace_id_workspaces"),
    ("campaign_leads", "campaign_id", "campaigns", "fk_campaign_leads_campaign_id_campaigns"),
    ("import_rows", "import_id", "imports", "fk_import_rows_import_id_imports"),
)

CHECK_FUNCTION = """
CREATE FUNCTION lp_parents_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent text := TG_ARGV[0];
    col text := TG_ARGV[1];
    wanted integer;
    found_rows integer;
    wanted_ids integer[];
BEGIN
    IF TG_LEVEL = 'ROW' THEN  -- an update that changed the column: this row's new parent
        wanted_ids := ARRAY[(to_jsonb(NEW) ->> col)::integer];
    ELSE  -- an insert statement: every distinct parent among its rows
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM lp_new_rows', col) INTO wanted_ids;
    END IF;
    FOREACH wanted IN ARRAY coalesce(wanted_ids, '{}')
    LOOP
        CONTINUE WHEN wanted IS NULL;
        EXECUTE format('SELECT 1 FROM %I WHERE id = $1 FOR KEY SHARE', parent) USING wanted;
        GET DIAGNOSTICS found_rows = ROW_COUNT;  -- EXECUTE leaves FOUND as it was
        IF found_rows = 0 THEN
            RAISE foreign_key_violation USING
                MESSAGE = format('insert or update on table "%s" violates foreign key "%s_%s"',
                                 TG_TABLE_NAME, TG_TABLE_NAME, col),
                DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, wanted, parent);
        END IF;
    END LOOP;
    RETURN NULL;
END $$
"""

CASCADE_FUNCTION = """
CREATE FUNCTION lp_children_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    child text := TG_ARGV[0];
    col text := TG_ARGV[1];
    found_rows integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        EXECUTE format('DELETE FROM %I WHERE %I = $1', child, col) USING OLD.id;
        RETURN OLD;
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        EXECUTE format('SELECT 1 FROM %I WHERE %I = $1 LIMIT 1', child, col) USING OLD.id;
        GET DIAGNOSTICS found_rows = ROW_COUNT;
        IF found_rows > 0 THEN
            RAISE foreign_key_violation USING
                MESSAGE = format('update on table "%s" violates foreign key "%s_%s" on table "%s"',
                                 TG_TABLE_NAME, child, col, child);
        END IF;
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CHECK_FUNCTION)
    op.execute(CASCADE_FUNCTION)
    for child, col, parent, constraint in PARENTS:
        op.drop_constraint(constraint, child, type_="foreignkey")
        op.execute(
            f"CREATE TRIGGER lp_{child}_{col}_insert AFTER INSERT ON {child} "
            "REFERENCING NEW TABLE AS lp_new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION lp_parents_exist('{parent}', '{col}')"
        )
        # Per row, but only where the column changed: nothing in leadport moves a row to another
        # parent, and an update of other columns (a modified lead) must cost nothing here. (A
        # statement trigger with transition tables can take no column list.)
        op.execute(
            f"CREATE TRIGGER lp_{child}_{col}_update AFTER UPDATE OF {col} ON {child} "
            f"FOR EACH ROW WHEN (NEW.{col} IS DISTINCT FROM OLD.{col}) "
            f"EXECUTE FUNCTION lp_parents_exist('{parent}', '{col}')"
        )
        op.execute(
            f"CREATE TRIGGER lp_{parent}_{child} AFTER DELETE OR UPDATE OF id ON {parent} "
            f"FOR EACH ROW EXECUTE FUNCTION lp_children_follow('{child}', '{col}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for child, col, parent, constraint in PARENTS:
        op.execute(f"DROP TRIGGER lp_{parent}_{child} ON {parent}")
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER lp_{child}_{col}_{event} ON {child}")
        op.create_foreign_key(constraint, child, parent, [col], ["id"], ondelete="CASCADE")
    op.execute("DROP FUNCTION lp_children_follow()")
    op.execute("DROP FUNCTION lp_parents_exist()")

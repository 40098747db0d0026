"""Restoring a rolled-back import: the same database content back, identifiers taken since left
out and listed, admins only, and nothing once the kept data is purged."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine

from leadport.services.report import report_json_rows
from tests.integration.rollback_helpers import add_activity, import_id, lead, sql
from tests.integration.snapshots import snapshot

# What a rollback and its restore may change besides the data itself: the import's own record
# (backup file), the audit trail and the stored backup.
BOOKKEEPING = {
    "imports": {"backup_path", "backup_file_id"},
    "audit_entries": {"*"},
    "stored_files": {"*"},
}


def _two_campaigns(cli, database_url, write_csv) -> str:
    """Campaign C from a first import; the second, rolled back in the tests, updates one of its
    leads (fields, custom field, tag), creates others, one of which is also in campaign C."""
    cli("campaign", "create", "C")
    cli("campaign", "create", "D")
    seed = write_csv(
        "Email,First Name,Title,Team\na@x.com,Ann,Engineer,Blue\nb@x.com,Bob,,\n", "s.csv"
    )
    cli("import", seed, "--campaign", "C")
    upd = write_csv(
        "Email,First Name,Title,Team,Industry\n"
        "a@x.com,Annie,Manager,Red,Tech\nc@x.com,Cid,CTO,,Retail\nd@x.com,Dee,,,\n",
        "u.csv",
    )
    second = import_id(
        cli(
            "import",
            upd,
            "--campaign",
            "D",
            "--overwrite",
            "--tag",
            "wave2",
            "--policy",
            "campaign",
            "--json",
        )
    )
    cli("import", write_csv("Email\nd@x.com\n", "d.csv"), "--campaign", "C", "--policy", "campaign")
    add_activity(database_url, "a@x.com", "D", "sent", "opened", "replied")
    add_activity(database_url, "c@x.com", "D", "sent", "meeting_booked")
    sql(
        database_url,
        "UPDATE campaign_leads SET status = 'interested' WHERE import_id = :i AND lead_id ="
        " (SELECT id FROM leads WHERE email = 'c@x.com')",
        i=int(second),
    )
    return second


def test_rollback_then_restore_gives_back_the_same_database_content(cli, database_url, write_csv):
    second = _two_campaigns(cli, database_url, write_csv)
    before = snapshot(database_url, BOOKKEEPING)

    rolled = cli("rollback", second, "--yes", "--json")
    assert rolled.exit_code == 0, rolled.stderr
    assert snapshot(database_url, BOOKKEEPING) != before
    restored = cli("restore", second, "--json")

    assert restored.exit_code == 0, restored.stderr
    assert restored.json() == {
        "import_id": second,
        "leads_restored": 1,
        "memberships_restored": 3,
        "fields_restored": 5,
        "skipped": [],
        "kept_newer": [],
    }
    assert snapshot(database_url, BOOKKEEPING) == before
    archived = sql(
        database_url,
        "SELECT (SELECT count(*) FROM archived_leads) + (SELECT count(*) FROM archived_memberships)"
        " + (SELECT count(*) FROM archived_activities) + (SELECT count(*) FROM archived_field_values)",
    )
    assert archived == [(0,)]
    actions = sql(
        database_url, "SELECT action FROM audit_entries WHERE subject = :s ORDER BY id", s=second
    )
    assert actions == [("import_rolled_back",), ("import_restored",)]


def test_a_restored_import_can_be_rolled_back_again(cli, database_url, write_csv):
    second = _two_campaigns(cli, database_url, write_csv)
    first_time = cli("rollback", second, "--yes", "--json").json()
    cli("restore", second)

    again = cli("rollback", second, "--yes", "--json")

    assert again.exit_code == 0, again.stderr
    for key in ("memberships", "leads_deleted", "with_activity", "replied", "fields_restored"):
        assert again.json()[key] == first_time[key]


def test_restore_skips_a_lead_whose_email_was_taken_since_and_its_memberships(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    path = write_csv("Email,First Name\nx@x.com,X\ny@x.com,Y\n")
    first = import_id(cli("import", path, "--campaign", "C", "--json"))
    cli("rollback", first, "--yes")
    cli("import", write_csv("Email,First Name\ny@x.com,New Y\n", "y.csv"))

    restored = cli("restore", first, "--json")

    assert restored.exit_code == 0, restored.stderr
    assert restored.json()["skipped"] == [
        {
            "email": "y@x.com",
            "linkedin_url": None,
            "reason": "email already belongs to another lead",
        }
    ]
    assert (restored.json()["leads_restored"], restored.json()["memberships_restored"]) == (1, 1)
    y = lead(database_url, "y@x.com")
    assert y is not None
    assert y["first_name"] == "New Y"
    assert sql(database_url, "SELECT count(*) FROM campaign_leads") == [(1,)]
    human = cli("rollback", first, "--yes")
    assert human.exit_code == 0
    cli("import", write_csv("Email\nx@x.com\n", "x.csv"))
    text = cli("restore", first)
    assert text.stdout == (
        f"Import {first} restored: 0 leads, 0 memberships and 0 field values are back.\n"
        "Not restored (1):\n"
        "  x@x.com: email already belongs to another lead\n"
    )


def test_only_an_admin_may_restore_even_with_members_can_rollback(cli, database_url, write_csv):
    cli("member", "add", "m@x.com")
    sql(database_url, "UPDATE workspaces SET members_can_rollback = :t", t=True)
    mine = import_id(cli("import", write_csv("Email\nm@y.com\n"), "--as", "m@x.com", "--json"))
    assert cli("rollback", mine, "--yes", "--as", "m@x.com").exit_code == 0

    refused = cli("restore", mine, "--as", "m@x.com")

    assert refused.exit_code == 1
    assert (
        refused.stderr
        == f"leadport: Only an admin may restore import {mine}; m@x.com is a member.\n"
    )
    assert cli("restore", mine).exit_code == 0


def test_restore_is_refused_after_the_purge_and_for_an_import_not_rolled_back(
    cli, database_url, write_csv
):
    first = import_id(cli("import", write_csv("Email\na@x.com\n"), "--json"))
    not_rolled = cli("restore", first)
    cli("rollback", first, "--yes")
    nothing = cli("purge")
    sql(
        database_url,
        "UPDATE imports SET rolled_back_at = :t WHERE id = :i",
        t=datetime(2026, 1, 1, tzinfo=UTC),
        i=int(first),
    )
    late = cli("restore", first)
    purged = cli("purge", "--json")
    refused = cli("restore", first)

    assert (not_rolled.exit_code, not_rolled.stderr) == (
        1,
        f"leadport: Import {first} is completed, not rolled back; only a rolled-back import can be restored.\n",
    )
    assert nothing.stdout == "Nothing to purge: no rollback older than 30 days still keeps data.\n"
    assert late.exit_code == 1
    assert late.stderr == (
        f"leadport: Import {first} can no longer be restored: it was rolled back on 2026-01-01 and "
        "what a rollback removed is kept for 30 days.\n"
    )
    assert purged.json() == {"purged": [first]}
    assert sql(database_url, "SELECT count(*) FROM archived_leads") == [(0,)]
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        f"leadport: Import {first} can no longer be restored: what its rollback removed was purged on "
    )
    assert refused.stderr.endswith(", after the 30-day retention period.\n")


def test_restore_gives_new_ids_where_the_old_ones_were_taken_since(cli, database_url, write_csv):
    cli("campaign", "create", "C")
    first = import_id(
        cli("import", write_csv("Email\nx@x.com\ny@x.com\n"), "--campaign", "C", "--json")
    )
    add_activity(database_url, "y@x.com", "C", "replied")
    cli("rollback", first, "--yes")
    cli("import", write_csv("Email\nz@x.com\n", "z.csv"), "--campaign", "C")  # may reuse an id

    restored = cli("restore", first, "--json")

    assert restored.exit_code == 0, restored.stderr
    assert (restored.json()["leads_restored"], restored.json()["memberships_restored"]) == (2, 2)
    rows = sql(
        database_url,
        "SELECT l.email, count(a.id) FROM leads l JOIN campaign_leads cl ON cl.lead_id = l.id"
        " LEFT JOIN activities a ON a.campaign_lead_id = cl.id GROUP BY l.email ORDER BY l.email",
    )
    assert rows == [("x@x.com", 0), ("y@x.com", 1), ("z@x.com", 0)]
    # The restored import's report names its leads by their ids now.
    ids = dict(sql(database_url, "SELECT email, id FROM leads"))
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            report = list(report_json_rows(conn, int(first)))
    finally:
        engine.dispose()
    assert [(r["row"], r["lead_id"]) for r in report] == [
        (2, str(ids["x@x.com"])),
        (3, str(ids["y@x.com"])),
    ]


def test_restore_gives_back_custom_fields_and_tags_in_the_order_the_import_added_them(
    cli, database_url, write_csv
):
    cli("import", write_csv("Email,First Name\na@x.com,Ann\n", "seed.csv"))
    upd = write_csv("Email,Zeta,Alpha,Mid\na@x.com,z,a,m\n", "upd.csv")
    second = import_id(
        cli("import", upd, "--tag", "zulu", "--tag", "alpha", "--tag", "mike", "--json")
    )
    before = snapshot(database_url, BOOKKEEPING)
    added = lead(database_url, "a@x.com")
    assert added is not None
    assert (list(added["custom_fields"]), added["tags"]) == (
        ["Zeta", "Alpha", "Mid"],
        ["zulu", "alpha", "mike"],
    )

    assert cli("rollback", second, "--yes").exit_code == 0
    restored = cli("restore", second, "--json")

    assert restored.exit_code == 0, restored.stderr
    assert restored.json()["fields_restored"] == 6
    assert snapshot(database_url, BOOKKEEPING) == before

"""Rolling back an import through the CLI: preview figures, what goes, what stays, what returns."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from tests.integration.rollback_helpers import (
    add_activity,
    campaigns_of,
    import_id,
    lead,
    sql,
)
from tests.integration.snapshots import snapshot


def test_the_preview_counts_memberships_deleted_leads_and_activity_and_changes_nothing(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    cli("campaign", "create", "D")
    first = import_id(
        cli(
            "import",
            write_csv("Email,First Name\na@x.com,A\nb@x.com,B\nc@x.com,C\nd@x.com,D\n", "c.csv"),
            "--campaign",
            "C",
            "--policy",
            "campaign",
            "--json",
        )
    )
    cli("import", write_csv("Email\nd@x.com\n", "d.csv"), "--campaign", "D", "--policy", "campaign")
    add_activity(database_url, "a@x.com", "C", "sent", "replied", "opened")
    add_activity(database_url, "b@x.com", "C", "sent", "meeting_booked")
    add_activity(database_url, "c@x.com", "C", "opened")
    before = snapshot(database_url)

    preview = cli("rollback", first, "--preview", "--json")

    assert preview.exit_code == 0, preview.stderr
    assert preview.json() == {
        "import_id": first,
        "preview": True,
        "memberships": 4,
        "leads_deleted": 3,
        "with_activity": 3,
        "replied": 1,
        "meetings_booked": 1,
        "backup_file": None,
        "leads_reverted": 0,
        "fields_restored": 0,
        "kept_newer": [],
    }
    assert snapshot(database_url) == before
    human = cli("rollback", first, "--preview")
    assert human.stdout == (
        f"Rolling back import {first} would remove 4 memberships (3 with activity, 1 replied, "
        "1 with a meeting booked), delete 3 leads and put back 0 field values on 0 leads.\n"
    )


def test_rollback_removes_memberships_with_activity_and_keeps_leads_of_other_campaigns(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    cli("campaign", "create", "D")
    path = write_csv("Email,First Name\na@x.com,A\nd@x.com,D\n", "c.csv")
    first = import_id(cli("import", path, "--campaign", "C", "--policy", "campaign", "--json"))
    cli("import", write_csv("Email\nd@x.com\n", "d.csv"), "--campaign", "D", "--policy", "campaign")
    add_activity(database_url, "a@x.com", "C", "sent", "replied")
    add_activity(database_url, "d@x.com", "D", "sent")

    done = cli("rollback", first, "--yes", "--json")

    assert done.exit_code == 0, done.stderr
    report = done.json()
    assert (report["preview"], report["memberships"], report["leads_deleted"]) == (False, 2, 1)
    assert lead(database_url, "a@x.com") is None
    assert campaigns_of(database_url, "d@x.com") == [("D", "scheduled")]
    assert sql(database_url, "SELECT count(*) FROM activities") == [(1,)]
    assert sql(database_url, "SELECT state FROM imports WHERE id = :i", i=int(first)) == [
        ("rolled_back",)
    ]
    audit = sql(
        database_url,
        "SELECT action, subject, member_id FROM audit_entries WHERE action LIKE 'import_r%'",
    )
    assert audit == [("import_rolled_back", first, 1)]


def test_rollback_restores_fields_custom_fields_and_tags_changed_by_the_import(
    cli, database_url, write_csv
):
    cli("import", write_csv("Email,First Name,Title\na@x.com,Ann,Engineer\n", "seed.csv"))
    before = lead(database_url, "a@x.com")
    change = write_csv(
        "Email,First Name,Title,Company,Industry\na@x.com,Annie,Manager,Acme,Tech\n", "upd.csv"
    )
    second = import_id(cli("import", change, "--overwrite", "--tag", "t2", "--json"))
    changed = lead(database_url, "a@x.com")
    assert changed is not None
    assert (changed["job_title"], changed["custom_fields"], changed["tags"]) == (
        "Manager",
        {"Industry": "Tech"},
        ["t2"],
    )

    done = cli("rollback", second, "--yes", "--json")

    assert done.exit_code == 0, done.stderr
    assert (done.json()["fields_restored"], done.json()["leads_reverted"]) == (5, 1)
    after = lead(database_url, "a@x.com")
    assert after is not None
    assert before is not None
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


def test_a_field_changed_after_the_import_keeps_its_newer_value_and_is_listed(
    cli, database_url, write_csv
):
    cli("import", write_csv("Email,Title\na@x.com,Engineer\n", "seed.csv"))
    second = import_id(
        cli(
            "import",
            write_csv("Email,Title,Company\na@x.com,Manager,Acme\n", "two.csv"),
            "--overwrite",
            "--json",
        )
    )
    cli("import", write_csv("Email,Title\na@x.com,Director\n", "three.csv"), "--overwrite")

    done = cli("rollback", second, "--yes", "--json")

    assert done.exit_code == 0, done.stderr
    assert done.json()["kept_newer"] == [
        {"email": "a@x.com", "field": "job_title", "value": "Director"}
    ]
    assert done.json()["fields_restored"] == 1
    after = lead(database_url, "a@x.com")
    assert after is not None
    assert (after["job_title"], after["company_name"]) == ("Director", None)


def test_rollback_puts_no_email_on_the_deleted_list_so_the_file_brings_the_leads_back(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    path = write_csv("Email,First Name\na@x.com,A\nb@x.com,B\n")
    first = import_id(cli("import", path, "--campaign", "C", "--json"))
    assert cli("rollback", first, "--yes").exit_code == 0
    assert sql(database_url, "SELECT count(*) FROM deleted_emails") == [(0,)]

    again = cli("import", path, "--campaign", "C", "--json")

    assert again.exit_code == 0, again.stderr
    assert again.json()["account"] == {"added": 2, "modified": 0, "rejected": 0}
    assert again.json()["campaign"]["imported"] == 2


def test_the_backup_csv_lists_what_was_removed_formula_safe_in_the_folder_and_the_database(
    cli, database_url, write_csv, tmp_path
):
    cli("campaign", "create", "C")
    path = write_csv("Email,First Name,Industry\na@x.com,=SUM(A1),Tech\nb@x.com,Bob,\n")
    first = import_id(cli("import", path, "--campaign", "C", "--tag", "vip", "--json"))
    add_activity(database_url, "a@x.com", "C", "sent", "sent", "replied")
    sql(database_url, "UPDATE campaign_leads SET status = 'interested' WHERE lead_id = 1")

    done = cli("rollback", first, "--yes", "--json")

    backup = Path(done.json()["backup_file"])
    assert backup.parent == tmp_path / "data" / "backups"
    with backup.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    a = next(r for r in rows if r["email"] == "a@x.com")
    assert (a["first_name"], a["Industry"], a["tags"]) == ("'=SUM(A1)", "Tech", "vip")
    assert (a["leadport_campaign"], a["leadport_status"], a["leadport_lead_deleted"]) == (
        "C",
        "interested",
        "yes",
    )
    assert (a["leadport_sent"], a["leadport_replied"], a["leadport_opened"]) == ("2", "1", "0")
    assert len(rows) == 2
    stored = sql(
        database_url,
        "SELECT f.content, f.content_encoding, f.media_type FROM stored_files f"
        " JOIN imports i ON i.backup_file_id = f.id WHERE i.id = :i",
        i=int(first),
    )
    content, encoding, media_type = stored[0]
    assert (encoding, media_type) == ("gzip", "text/csv")
    assert gzip.decompress(bytes(content)) == backup.read_bytes()


def test_rollback_without_yes_off_a_terminal_asks_for_yes_and_changes_nothing(
    cli, database_url, write_csv
):
    first = import_id(cli("import", write_csv("Email\na@x.com\n"), "--json"))
    before = snapshot(database_url)

    refused = cli("rollback", first)

    assert refused.exit_code == 2
    assert refused.stderr == (
        f"leadport: Rolling back import {first} needs a confirmation; add --yes to roll it back "
        "without a terminal.\n"
    )
    assert snapshot(database_url) == before


def test_on_a_terminal_the_preview_is_shown_and_the_answer_decides(
    cli, database_url, write_csv, monkeypatch
):
    from leadport.cli import rollback_cmds

    monkeypatch.setattr(rollback_cmds, "interactive", lambda: True)
    first = import_id(cli("import", write_csv("Email\na@x.com\n"), "--json"))
    before = snapshot(database_url)

    declined = cli("rollback", first, input="n\n")
    assert snapshot(database_url) == before
    accepted = cli("rollback", first, input="y\n")

    assert declined.exit_code == 1
    assert declined.stderr.startswith(
        f"Rolling back import {first} would remove 0 memberships (0 with activity, 0 replied, "
        "0 with a meeting booked), delete 1 lead and put back 0 field values on 0 leads.\n"
        f"Roll back import {first}? [y/N]:"
    )
    assert declined.stderr.endswith(
        f"leadport: Import {first} was not rolled back: the rollback was declined.\n"
    )
    assert accepted.exit_code == 0, accepted.stderr
    # click writes the space after a prompt to stdout, even with err=True
    assert accepted.stdout.lstrip().startswith(f"Import {first} rolled back: removed 0 memberships")
    assert lead(database_url, "a@x.com") is None


def test_a_rolled_back_sync_run_goes_into_the_removal_memory_and_a_restore_takes_it_out(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    path = write_csv("Email,LinkedIn URL\na@x.com,\n,linkedin.com/in/bo\n")
    run = import_id(cli("import", path, "--campaign", "C", "--json"))
    sql(database_url, "UPDATE imports SET source = 'crm' WHERE id = :i", i=int(run))
    bookkeeping = {
        "audit_entries": {"*"},
        "stored_files": {"*"},
        "imports": {"backup_path", "backup_file_id"},
    }
    before = snapshot(database_url, bookkeeping)
    bo_key = sql(database_url, "SELECT linkedin_key FROM leads WHERE email IS NULL")[0][0]

    assert cli("rollback", run, "--yes").exit_code == 0
    memory = sql(
        database_url,
        "SELECT c.name, r.lead_key FROM removal_memory r JOIN campaigns c ON c.id = r.campaign_id",
    )
    assert sorted(memory) == sorted([("C", "a@x.com"), ("C", bo_key)])
    assert cli("restore", run).exit_code == 0

    assert snapshot(database_url, bookkeeping) == before  # the memory is empty again

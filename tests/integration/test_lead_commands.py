"""`leadport lead show/status/delete` and `deleted clean`: what a user sees, what stays in the
database, and how a deletion meets rollback and restore."""

from __future__ import annotations

import pytest

from tests.integration.rollback_helpers import add_activity, import_id, lead, sql
from tests.integration.snapshots import snapshot


@pytest.fixture
def q4(cli, write_csv):
    """Campaign Q4 holding john@x.com (with custom fields and a tag) and ann@x.com."""
    assert cli("campaign", "create", "Q4").exit_code == 0
    path = write_csv(
        "Email,First Name,Last Name,Company,Job Title,LinkedIn,Plan,Region\n"
        "john@x.com,John,Doe,Acme,CEO,linkedin.com/in/JohnDoe,gold,EU\n"
        "ann@x.com,Ann,,,,,,\n"
    )
    return import_id(cli("import", path, "--campaign", "Q4", "--tag", "vip", "--json"))


def _show(cli, email: str) -> dict:
    shown = cli("lead", "show", email, "--json")
    assert shown.exit_code == 0, shown.stderr
    return shown.json()


# ------------------------------------------------------------------------------------ lead show


def test_lead_show_gives_the_contract_json_and_finds_the_email_as_typed(cli, database_url, q4):
    shown = _show(cli, " John@X.com\u00a0")

    lead_id = lead(database_url, "john@x.com")["id"]
    assert shown == {
        "id": str(lead_id),
        "email": "john@x.com",
        "linkedin_url": "https://www.linkedin.com/in/johndoe",
        "first_name": "John",
        "last_name": "Doe",
        "company_name": "Acme",
        "company_domain": None,
        "job_title": "CEO",
        "phone": None,
        "custom_fields": {"Plan": "gold", "Region": "EU"},
        "tags": ["vip"],
        "campaigns": [{"campaign": "Q4", "status": "scheduled", "import_id": q4}],
    }


def test_lead_show_finds_a_lead_by_its_linkedin_url(cli, q4):
    assert _show(cli, "https://fr.linkedin.com/in/johndoe/")["email"] == "john@x.com"


def test_lead_show_without_json_prints_the_lead_for_a_person(cli, q4):
    shown = cli("lead", "show", "john@x.com")

    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("john@x.com (lead ")
    assert "  First name      John" in lines
    assert "  Plan            gold" in lines
    assert "  Tags            vip" in lines
    assert lines[-2:] == ["Campaigns:", f"  Q4: scheduled (import {q4})"]


def test_lead_show_of_an_unknown_email_says_which_email_and_exits_1(cli, q4):
    missing = cli("lead", "show", "Nobody@X.com")

    assert missing.exit_code == 1
    assert missing.stdout == ""
    assert missing.stderr == "leadport: No lead with email nobody@x.com in this workspace.\n"


def test_lead_show_of_something_that_is_no_email_is_a_usage_error(cli, q4):
    shown = cli("lead", "show", "John Doe")

    assert shown.exit_code == 2
    assert shown.stderr == (
        "leadport: 'John Doe' is neither an email address nor a LinkedIn profile URL.\n"
    )


def test_lead_show_does_not_see_another_workspaces_leads(cli, q4):
    assert cli("workspace", "create", "Other").exit_code == 0

    missing = cli("lead", "show", "john@x.com", "--workspace", "Other")

    assert missing.exit_code == 1
    assert missing.stderr == "leadport: No lead with email john@x.com in this workspace.\n"


# ---------------------------------------------------------------------------------- lead status


def test_lead_status_sets_the_status_and_updated_at_of_that_membership(cli, database_url, q4):
    before = sql(database_url, "SELECT updated_at FROM campaign_leads ORDER BY id")

    changed = cli("lead", "status", "JOHN@x.com", "--campaign", "Q4", "--set", "interested")

    assert changed.exit_code == 0, changed.stderr
    assert changed.stdout == "john@x.com is now interested in campaign 'Q4' (was scheduled).\n"
    assert _show(cli, "john@x.com")["campaigns"][0]["status"] == "interested"
    assert _show(cli, "ann@x.com")["campaigns"][0]["status"] == "scheduled"
    after = sql(database_url, "SELECT updated_at FROM campaign_leads ORDER BY id")
    assert after[0] != before[0]
    assert after[1] == before[1]


def test_lead_status_takes_a_status_typed_loosely_and_answers_in_json(cli, q4):
    changed = cli(
        "lead", "status", "ann@x.com", "--campaign", "Q4", "--set", "not interested", "--json"
    )
    again = cli("lead", "status", "ann@x.com", "--campaign", "Q4", "--set", "notInterested")

    assert changed.json() == {
        "lead_id": _show(cli, "ann@x.com")["id"],
        "lead": "ann@x.com",
        "campaign": "Q4",
        "old_status": "scheduled",
        "status": "notInterested",
    }
    assert again.stdout == "ann@x.com is already notInterested in campaign 'Q4'.\n"


def test_a_bad_status_is_a_usage_error_listing_the_allowed_ones(cli, database_url, q4):
    before = snapshot(database_url)

    refused = cli("lead", "status", "john@x.com", "--campaign", "Q4", "--set", "won")

    assert refused.exit_code == 2
    assert refused.stderr == (
        "leadport: 'won' is not a lead status; use one of inProgress, paused, reviewed, "
        "scheduled, done, interested, notInterested, unsubscribed.\n"
    )
    assert snapshot(database_url) == before


def test_a_lead_not_in_that_campaign_is_refused_with_exit_1(cli, database_url, write_csv, q4):
    cli("campaign", "create", "Q5")
    cli("import", write_csv("Email\nsolo@x.com\n", "solo.csv"))
    before = snapshot(database_url)

    not_in = cli("lead", "status", "john@x.com", "--campaign", "Q5", "--set", "done")
    no_campaign = cli("lead", "status", "john@x.com", "--campaign", "Q9", "--set", "done")

    assert not_in.exit_code == no_campaign.exit_code == 1
    assert not_in.stderr == "leadport: john@x.com is not in campaign 'Q5'.\n"
    assert no_campaign.stderr == "leadport: No campaign named 'Q9' in this workspace.\n"
    assert snapshot(database_url) == before


def test_a_member_may_change_a_status(cli, q4):
    cli("member", "add", "m@x.com")

    changed = cli(
        "lead", "status", "john@x.com", "--campaign", "Q4", "--set", "done", "--as", "m@x.com"
    )

    assert changed.exit_code == 0, changed.stderr
    assert _show(cli, "john@x.com")["campaigns"][0]["status"] == "done"


# ---------------------------------------------------------------------------------- lead delete


def _join_by_hand(database_url: str, email: str, campaign: str) -> None:
    """A membership no import made (as the API's manual additions will make)."""
    from sqlalchemy import create_engine, insert

    from leadport.db.bulk import utcnow
    from leadport.db.schema import campaign_leads

    lead_id = lead(database_url, email)["id"]
    [(campaign_id,)] = sql(database_url, "SELECT id FROM campaigns WHERE name = :c", c=campaign)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            now = utcnow()
            conn.execute(
                insert(campaign_leads).values(
                    campaign_id=campaign_id,
                    lead_id=lead_id,
                    status="inProgress",
                    created_at=now,
                    updated_at=now,
                )
            )
    finally:
        engine.dispose()


def test_lead_delete_removes_the_lead_its_memberships_and_their_activity(cli, database_url, q4):
    cli("campaign", "create", "Q5")
    john = _show(cli, "john@x.com")["id"]
    _join_by_hand(database_url, "john@x.com", "Q5")
    add_activity(database_url, "john@x.com", "Q4", "sent", "opened")
    add_activity(database_url, "ann@x.com", "Q4", "sent")

    deleted = cli("lead", "delete", "John@x.com")

    assert deleted.exit_code == 0, deleted.stderr
    assert deleted.stdout == (
        f"Deleted john@x.com (lead {john}) with 2 campaign memberships "
        "(Q4, Q5) and 2 activity events.\n"
    )
    assert lead(database_url, "john@x.com") is None
    assert sql(database_url, "SELECT count(*) FROM campaign_leads") == [(1,)]
    assert sql(database_url, "SELECT type FROM activities") == [("sent",)]
    assert _show(cli, "ann@x.com")["campaigns"][0]["campaign"] == "Q4"
    gone = cli("lead", "show", "john@x.com")
    assert gone.stderr == "leadport: No lead with email john@x.com in this workspace.\n"


def test_lead_delete_leaves_an_audit_entry_and_a_removal_memory_per_campaign(cli, database_url, q4):
    cli("member", "add", "m@x.com")
    john = _show(cli, "john@x.com")["id"]

    deleted = cli("lead", "delete", "john@x.com", "--as", "m@x.com", "--json")

    assert deleted.exit_code == 0, deleted.stderr
    assert deleted.json() == {
        "lead_id": john,
        "email": "john@x.com",
        "linkedin_url": "https://www.linkedin.com/in/johndoe",
        "permanent": False,
        "campaigns": ["Q4"],
        "memberships": 1,
        "activities": 0,
    }
    [(action, subject, member_id)] = sql(
        database_url, "SELECT action, subject, member_id FROM audit_entries"
    )
    m_id = sql(
        database_url,
        "SELECT m.id FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = 'm@x.com'",
    )[0][0]
    assert (action, subject, member_id) == ("lead_deleted", john, m_id)
    assert sql(
        database_url,
        "SELECT c.name, r.lead_key FROM removal_memory r JOIN campaigns c ON c.id = r.campaign_id",
    ) == [("Q4", "john@x.com")]
    assert sql(database_url, "SELECT count(*) FROM deleted_emails") == [(0,)]


def test_a_lead_deleted_without_permanent_comes_back_with_the_next_import(
    cli, database_url, write_csv, q4
):
    cli("lead", "delete", "john@x.com")

    again = cli("import", write_csv("Email\njohn@x.com\n", "again.csv"), "--json")

    assert again.json()["rows"][0]["code"] == "added"
    assert lead(database_url, "john@x.com") is not None


def test_an_unknown_lead_is_refused_and_nothing_is_written(cli, database_url, q4):
    before = snapshot(database_url)

    missing = cli("lead", "delete", "nobody@x.com", "--permanent")

    assert missing.exit_code == 1
    assert missing.stderr == "leadport: No lead with email nobody@x.com in this workspace.\n"
    assert snapshot(database_url) == before


# ---------------------------------------------------------------- permanent deletion, clean list


def test_a_permanent_deletion_makes_the_next_import_reject_the_email(
    cli, database_url, write_csv, settings, q4
):
    from leadport.services.deleted_list import email_hash

    deleted = cli("lead", "delete", "john@x.com", "--permanent")
    again = cli("import", write_csv("Email,First Name\nJOHN@x.com,John\n", "again.csv"), "--json")

    assert deleted.exit_code == 0, deleted.stderr
    assert deleted.stdout.splitlines()[1] == (
        "Its email is on the permanently-deleted list: no import brings it back until an admin "
        "runs `leadport deleted clean`."
    )
    row = again.json()["rows"][0]
    assert (row["code"], row["message"]) == ("permanently_deleted", "Email was permanently deleted")
    assert lead(database_url, "john@x.com") is None
    assert sql(database_url, "SELECT email_hash FROM deleted_emails") == [
        (email_hash(settings.secret_key, "john@x.com"),)
    ]


def test_a_permanent_deletion_keeps_no_plain_address_for_it(cli, database_url, q4):
    cli("lead", "delete", "john@x.com", "--permanent")

    [(action, detail)] = sql(database_url, "SELECT action, detail FROM audit_entries")
    assert action == "lead_deleted_permanently"
    assert "john" not in str(detail)
    assert sql(database_url, "SELECT count(*) FROM removal_memory") == [(0,)]


def test_a_lead_without_email_cannot_be_deleted_permanently(cli, database_url, write_csv, q4):
    cli("import", write_csv("LinkedIn\nlinkedin.com/in/jane\n", "jane.csv"))
    before = snapshot(database_url)

    refused = cli("lead", "delete", "https://www.linkedin.com/in/jane", "--permanent")

    assert refused.exit_code == 1
    assert refused.stderr == (
        "leadport: https://www.linkedin.com/in/jane has no email, and the permanently-deleted "
        "list keeps emails only; delete it without the permanent option.\n"
    )
    assert snapshot(database_url) == before
    plain = cli("lead", "delete", "linkedin.com/in/jane")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout.startswith("Deleted https://www.linkedin.com/in/jane (lead ")


def test_a_member_is_refused_deleted_clean(cli, database_url, q4):
    cli("member", "add", "m@x.com")
    assert cli("lead", "delete", "john@x.com", "--permanent", "--as", "m@x.com").exit_code == 0
    before = snapshot(database_url)

    refused = cli("deleted", "clean", "--as", "m@x.com")

    assert refused.exit_code == 1
    assert refused.stderr == (
        "leadport: Only an admin may clean the permanently-deleted list; m@x.com is a member.\n"
    )
    assert snapshot(database_url) == before


def test_deleted_clean_lets_the_email_in_again_and_says_how_many(cli, database_url, write_csv, q4):
    cli("lead", "delete", "john@x.com", "--permanent")
    cli("lead", "delete", "ann@x.com", "--permanent")

    cleaned = cli("deleted", "clean")
    again = cli("import", write_csv("Email\njohn@x.com\n", "again.csv"), "--json")
    empty = cli("deleted", "clean")

    assert cleaned.exit_code == 0, cleaned.stderr
    assert cleaned.stdout == (
        "Removed 2 emails from the permanently-deleted list of workspace default; imports take "
        "them again.\n"
    )
    assert again.json()["rows"][0]["code"] == "added"
    assert empty.stdout == "The permanently-deleted list of workspace default was already empty.\n"
    audit = sql(database_url, "SELECT action, subject FROM audit_entries ORDER BY id")
    assert audit[-2:] == [("deleted_list_cleaned", "default"), ("deleted_list_cleaned", "default")]


def test_deleted_clean_empties_only_its_own_workspaces_list(cli, database_url, write_csv, q4):
    cli("workspace", "create", "Other")
    cli("import", write_csv("Email\nz@x.com\n", "z.csv"), "--workspace", "Other")
    cli("lead", "delete", "z@x.com", "--workspace", "Other", "--permanent")
    cli("lead", "delete", "john@x.com", "--workspace", "default", "--permanent")

    cleaned = cli("deleted", "clean", "--workspace", "default")

    assert "Removed 1 email " in cleaned.stdout
    assert sql(database_url, "SELECT count(*) FROM deleted_emails") == [(1,)]


# ------------------------------------------------------------- deletion meets rollback, restore


def test_an_import_rolls_back_and_restores_after_one_of_its_leads_was_deleted(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    cli("import", write_csv("Email\ne@x.com\n", "first.csv"))
    second = import_id(
        cli(
            "import",
            write_csv("Email,First Name\na@x.com,Ann\ne@x.com,Eve\n", "second.csv"),
            "--campaign",
            "C",
            "--json",
        )
    )
    cli("lead", "delete", "a@x.com")

    rolled = cli("rollback", second, "--yes", "--json")
    restored = cli("restore", second, "--json")

    assert rolled.exit_code == 0, rolled.stderr
    r = rolled.json()
    assert (r["memberships"], r["leads_deleted"], r["fields_restored"]) == (1, 0, 1)
    assert restored.exit_code == 0, restored.stderr
    s = restored.json()
    assert (s["leads_restored"], s["memberships_restored"], s["fields_restored"]) == (0, 1, 1)
    assert s["skipped"] == []
    assert lead(database_url, "a@x.com") is None
    assert _show(cli, "e@x.com")["first_name"] == "Eve"


def test_a_rollback_never_changes_a_newer_lead_that_took_a_deleted_leads_id(
    cli, database_url, write_csv
):
    """SQLite hands the highest free id to the next lead; the deleted lead's changes must not
    follow its id."""
    cli("import", write_csv("Email\np@x.com\n", "first.csv"))
    tagging = import_id(
        cli(
            "import",
            write_csv("Email,First Name\np@x.com,Paul\n", "tag.csv"),
            "--tag",
            "vip",
            "--json",
        )
    )
    cli("lead", "delete", "p@x.com")
    cli("import", write_csv("Email,First Name\nn@x.com,Paul\n", "new.csv"), "--tag", "vip")

    rolled = cli("rollback", tagging, "--yes", "--json")

    assert rolled.exit_code == 0, rolled.stderr
    assert (rolled.json()["fields_restored"], rolled.json()["kept_newer"]) == (0, [])
    newcomer = _show(cli, "n@x.com")
    assert (newcomer["first_name"], newcomer["tags"]) == ("Paul", ["vip"])


def test_a_restore_lists_a_membership_whose_lead_was_deleted_and_never_gives_it_to_another(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    cli("import", write_csv("Email\ne@x.com\n", "first.csv"))
    second = import_id(
        cli(
            "import",
            write_csv("Email,First Name\ne@x.com,Eve\n", "second.csv"),
            "--campaign",
            "C",
            "--json",
        )
    )
    cli("rollback", second, "--yes")
    cli("lead", "delete", "e@x.com")
    cli("import", write_csv("Email\nn@x.com\n", "new.csv"))  # may take e's id (SQLite)

    restored = cli("restore", second, "--json")

    assert restored.exit_code == 0, restored.stderr
    s = restored.json()
    assert (s["memberships_restored"], s["fields_restored"]) == (0, 0)
    assert s["skipped"] == [
        {"email": None, "linkedin_url": None, "reason": "lead was deleted since the rollback"}
    ]
    newcomer = _show(cli, "n@x.com")
    assert (newcomer["first_name"], newcomer["campaigns"]) == (None, [])

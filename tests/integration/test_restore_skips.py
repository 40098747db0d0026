"""What a restore leaves out, and says so: leads whose identifier was taken since (with their
memberships), emails deleted permanently since, memberships that cannot come back."""

from __future__ import annotations

from tests.integration.rollback_helpers import import_id, lead, sql


def _restore(cli, number: str) -> dict:
    restored = cli("restore", number, "--json")
    assert restored.exit_code == 0, restored.stderr
    return restored.json()


def test_a_lead_known_only_by_its_linkedin_url_is_skipped_when_that_url_was_taken_since(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    path = write_csv("LinkedIn URL,First Name\nlinkedin.com/in/Jane-Doe/,Jane\n")
    first = import_id(cli("import", path, "--campaign", "C", "--json"))
    cli("rollback", first, "--yes")
    cli("import", write_csv("Email,LinkedIn URL\nj@x.com,https://fr.linkedin.com/in/jane-doe\n"))

    report = _restore(cli, first)

    assert report["skipped"] == [
        {
            "email": None,
            "linkedin_url": "https://www.linkedin.com/in/jane-doe",
            "reason": "LinkedIn URL already belongs to another lead",
        }
    ]
    assert (report["leads_restored"], report["memberships_restored"]) == (0, 0)
    assert sql(database_url, "SELECT email, first_name FROM leads") == [("j@x.com", None)]


def test_an_email_deleted_permanently_since_the_rollback_stays_deleted(
    cli, database_url, write_csv, settings
):
    from leadport.services.deleted_list import email_hash

    first = import_id(cli("import", write_csv("Email\ngone@x.com\nkept@x.com\n"), "--json"))
    cli("rollback", first, "--yes")
    sql(
        database_url,
        "INSERT INTO deleted_emails (workspace_id, email_hash, created_at)"
        " VALUES (1, :h, CURRENT_TIMESTAMP)",
        h=email_hash(settings.secret_key, "gone@x.com"),
    )

    report = _restore(cli, first)

    assert report["skipped"] == [
        {
            "email": "gone@x.com",
            "linkedin_url": None,
            "reason": "email was permanently deleted since the rollback",
        }
    ]
    assert lead(database_url, "gone@x.com") is None
    assert lead(database_url, "kept@x.com") is not None


def test_memberships_on_the_do_not_contact_list_or_back_in_the_campaign_stay_out(
    cli, database_url, write_csv
):
    cli("campaign", "create", "C")
    cli("import", write_csv("Email\nold@x.com\n", "seed.csv"))
    path = write_csv("Email\nold@x.com\nnew@blocked.com\nok@x.com\n")
    first = import_id(cli("import", path, "--campaign", "C", "--json"))
    cli("rollback", first, "--yes")
    assert cli("dnc", "add", "blocked.com").exit_code == 0
    again = import_id(
        cli("import", write_csv("Email\nold@x.com\n", "again.csv"), "--campaign", "C", "--json")
    )

    report = _restore(cli, first)

    assert sorted(report["skipped"], key=lambda s: s["email"]) == [
        {
            "email": "new@blocked.com",
            "linkedin_url": None,
            "reason": "email or its domain is on the do-not-contact list",
        },
        {"email": "old@x.com", "linkedin_url": None, "reason": "lead is already in campaign C"},
    ]
    assert (report["leads_restored"], report["memberships_restored"]) == (2, 1)
    members = sql(
        database_url,
        "SELECT l.email, cl.import_id FROM campaign_leads cl JOIN leads l ON l.id = cl.lead_id"
        " ORDER BY l.email",
    )
    assert [(email, str(i)) for email, i in members] == [
        ("ok@x.com", first),
        ("old@x.com", again),
    ]

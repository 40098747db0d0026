"""Every campaign-step code in order, the three duplicate policies, modes and overwrite."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

HEADER = "First Name,Last Name,Email,Company,Job Title\n"


def set_status(database_url: str, email: str, campaign: str, status: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE campaign_leads SET status = :s WHERE lead_id = (SELECT id FROM leads WHERE email = :e)"
                " AND campaign_id = (SELECT id FROM campaigns WHERE name = :c)"
            ),
            {"s": status, "e": email, "c": campaign},
        )
    engine.dispose()


def codes(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(r["code"], r["campaign_code"]) for r in report["rows"]]


@pytest.fixture
def two_campaigns(cli, write_csv, database_url):
    """Lead a@x.com is `inProgress` in Old; d@x.com is `done` in Old."""
    assert cli("campaign", "create", "Old").exit_code == 0
    assert cli("campaign", "create", "New").exit_code == 0
    cli(
        "import", write_csv(HEADER + "A,,a@x.com,,\nD,,d@x.com,,\n", "old.csv"), "--campaign", "Old"
    )
    set_status(database_url, "a@x.com", "Old", "inProgress")
    set_status(database_url, "d@x.com", "Old", "done")
    return write_csv(HEADER + "A,,a@x.com,,\nD,,d@x.com,,\nN,,n@x.com,,\n", "new.csv")


def test_policy_active_excludes_only_leads_active_elsewhere(cli, two_campaigns):
    report = cli(
        "import", two_campaigns, "--campaign", "New", "--policy", "active", "--json"
    ).json()
    assert codes(report) == [
        ("modified", "active_elsewhere"),
        ("modified", "imported"),
        ("added", "imported"),
    ]
    first = report["rows"][0]
    assert first["detail"]["campaign"] == "Old"
    assert first["detail"]["status"] == "inProgress"
    assert first["message"] == "Lead is inProgress in campaign Old"
    assert report["campaign"] == {
        "imported": 2,
        "excluded_duplicates": 0,
        "active_elsewhere": 1,
        "failed": 0,
    }


def test_policy_workspace_excludes_leads_in_any_other_campaign(cli, two_campaigns):
    report = cli(
        "import", two_campaigns, "--campaign", "New", "--policy", "workspace", "--json"
    ).json()
    assert codes(report) == [
        ("modified", "in_other_campaign"),
        ("modified", "in_other_campaign"),
        ("added", "imported"),
    ]
    assert report["rows"][1]["message"] == "Lead is already in campaign Old"
    assert report["campaign"]["excluded_duplicates"] == 2


def test_policy_campaign_checks_only_this_campaign(cli, two_campaigns):
    report = cli(
        "import", two_campaigns, "--campaign", "New", "--policy", "campaign", "--json"
    ).json()
    assert codes(report) == [("modified", "imported")] * 2 + [("added", "imported")]
    again = cli(
        "import", two_campaigns, "--campaign", "New", "--policy", "campaign", "--json"
    ).json()
    assert [r["campaign_code"] for r in again["rows"]] == ["in_campaign"] * 3
    assert again["rows"][0]["message"] == "Lead is already in this campaign"


def test_the_default_policy_is_active(cli, two_campaigns):
    report = cli("import", two_campaigns, "--campaign", "New", "--json").json()
    assert report["rows"][0]["campaign_code"] == "active_elsewhere"


def test_do_not_contact_emails_and_domains_come_first(cli, write_csv):
    cli("campaign", "create", "C")
    assert cli("dnc", "add", "Blocked@X.com").exit_code == 0
    assert cli("dnc", "add", "competitor.com").exit_code == 0
    path = write_csv(HEADER + "B,,blocked@x.com,,\nC,,ceo@competitor.com,,\nO,,ok@x.com,,\n")
    report = cli("import", path, "--campaign", "C", "--json").json()
    assert codes(report) == [
        ("added", "do_not_contact"),
        ("added", "do_not_contact"),
        ("added", "imported"),
    ]
    assert report["rows"][1]["message"] == "competitor.com is on the do-not-contact list"
    assert report["campaign"]["failed"] == 2


def test_required_fields_reject_leads_missing_them(cli, write_csv):
    assert cli("campaign", "create", "C", "--require", "company_name").exit_code == 0
    path = write_csv(HEADER + "A,,a@x.com,Acme,\nB,,b@x.com,,\n")
    report = cli("import", path, "--campaign", "C", "--json").json()
    assert codes(report) == [("added", "imported"), ("added", "missing_field")]
    assert report["rows"][1]["message"] == "Campaign requires company_name, which this lead lacks"


def test_reject_invalid_leads_refuses_leads_without_email(cli, write_csv):
    cli("campaign", "create", "C", "--reject-invalid-leads")
    path = write_csv("Email,LinkedIn\na@x.com,\n,https://www.linkedin.com/in/no-mail\n")
    report = cli("import", path, "--campaign", "C", "--json").json()
    assert codes(report) == [("added", "imported"), ("added", "invalid_lead")]
    assert report["rows"][1]["message"] == "Campaign rejects invalid leads: the lead has no email"


def test_campaign_codes_are_checked_in_order(cli, write_csv):
    """A lead on the do-not-contact list that is also in the campaign is reported do_not_contact."""
    cli("campaign", "create", "C", "--require", "job_title")
    path = write_csv(HEADER + "A,,a@x.com,,\n")
    cli("import", path, "--campaign", "C", "--policy", "campaign")  # missing_field, not in campaign
    cli("import", write_csv(HEADER + "A,,a@x.com,,Boss\n", "b.csv"), "--campaign", "C")
    cli("dnc", "add", "x.com")
    report = cli("import", path, "--campaign", "C", "--json").json()
    assert report["rows"][0]["campaign_code"] == "do_not_contact"


def test_overwrite_off_fills_only_empty_fields(cli, write_csv):
    cli("import", write_csv(HEADER + "Ann,,a@x.com,Acme,\n", "a.csv"))
    report = cli("import", write_csv(HEADER + "Anna,Lee,a@x.com,,CEO\n", "b.csv"), "--json").json()
    changes = report["rows"][0]["detail"]["changes"]
    assert set(changes) == {"last_name", "job_title"}


def test_overwrite_on_replaces_but_an_empty_cell_never_erases(cli, write_csv):
    cli("import", write_csv(HEADER + "Ann,Lee,a@x.com,Acme,CEO\n", "a.csv"))
    report = cli(
        "import", write_csv(HEADER + "Anna,,a@x.com,,CTO\n", "b.csv"), "--overwrite", "--json"
    ).json()
    changes = report["rows"][0]["detail"]["changes"]
    assert changes == {
        "first_name": {"old": "Ann", "new": "Anna"},
        "job_title": {"old": "CEO", "new": "CTO"},
    }


def test_custom_fields_follow_the_overwrite_rule(cli, write_csv):
    header = "Email,Favourite Colour\n"
    cli("import", write_csv(header + "a@x.com,red\nb@x.com,\n", "a.csv"))
    plain = cli(
        "import", write_csv(header + "a@x.com,blue\nb@x.com,green\n", "b.csv"), "--json"
    ).json()
    assert plain["rows"][0]["detail"]["fields_changed"] == 0
    assert plain["rows"][1]["detail"]["changes"] == {
        "custom:Favourite Colour": {"old": None, "new": "green"}
    }
    forced = cli(
        "import", write_csv(header + "a@x.com,blue\n", "c.csv"), "--overwrite", "--json"
    ).json()
    assert forced["rows"][0]["detail"]["changes"] == {
        "custom:Favourite Colour": {"old": "red", "new": "blue"}
    }


def test_tags_are_added_to_created_and_modified_leads(cli, write_csv):
    cli("import", write_csv(HEADER + "A,,a@x.com,,\n", "a.csv"), "--tag", "first")
    report = cli(
        "import",
        write_csv(HEADER + "A,,a@x.com,,\nB,,b@x.com,,\n", "b.csv"),
        "--tag",
        "q4",
        "--tag",
        "first",
        "--json",
    ).json()
    assert report["rows"][0]["detail"]["changes"] == {"tag:q4": {"old": None, "new": "1"}}
    shown = cli("lead", "show", "b@x.com", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["tags"] == ["q4", "first"]


def test_import_tags_are_trimmed_and_a_blank_one_is_dropped(cli, write_csv):
    report = cli(
        "import",
        write_csv(HEADER + "A,,a@x.com,,\n", "a.csv"),
        "--tag",
        " q4 ",
        "--tag",
        "",
        "--tag",
        "q4",
        "--json",
    )
    assert report.exit_code == 0, report.stderr
    shown = cli("lead", "show", "a@x.com", "--json")
    assert shown.json()["tags"] == ["q4"]

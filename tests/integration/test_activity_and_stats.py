"""Activity recorded through the CLI, and the campaign statistics computed from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select

from leadport.db.schema import activities
from tests.integration.rollback_helpers import import_id, lead, sql
from tests.integration.snapshots import snapshot

KEYS = (
    "contacted",
    "opened",
    "clicked",
    "replied",
    "interested",
    "bounced",
    "meetings_booked",
    "unsubscribed",
)
TYPES = "sent, opened, clicked, replied, bounced, meeting_booked, unsubscribed"


def expected(campaign: str, leads: int, **counts: int) -> dict[str, object]:
    body: dict[str, object] = {"campaign": campaign, "leads": leads}
    for key in KEYS:
        count = counts.get(key, 0)
        body[key] = {"count": count, "rate": count / leads if leads else 0.0}
    return body


def stats(cli, campaign: str) -> dict[str, object]:
    result = cli("stats", campaign, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def leads_csv(prefix: str, count: int) -> str:
    return "Email,First Name\n" + "".join(f"{prefix}{i}@x.com,N{i}\n" for i in range(count))


@pytest.fixture
def campaign_c(cli, write_csv):
    """Campaign C with a@x.com and b@x.com; c@x.com is a lead of the workspace in no campaign."""
    cli("campaign", "create", "C")
    cli("import", write_csv("Email\na@x.com\nb@x.com\n", "c.csv"), "--campaign", "C")
    cli("import", write_csv("Email\nc@x.com\n", "w.csv"))
    return "C"


def test_the_seed_example_rollback_of_half_the_campaign_leaves_its_own_rates(cli, write_csv):
    cli("campaign", "create", "Seed")
    first = import_id(
        cli("import", write_csv(leads_csv("a", 500), "a.csv"), "--campaign", "Seed", "--json")
    )
    second = import_id(
        cli("import", write_csv(leads_csv("b", 500), "b.csv"), "--campaign", "Seed", "--json")
    )
    events = ["email,type,at"]
    for prefix, opened, replied in (("a", 150, 20), ("b", 150, 30)):
        events += [f"{prefix}{i}@x.com,sent,2026-05-01T08:00:00Z" for i in range(500)]
        events += [f"{prefix}{i}@x.com,opened,2026-05-01T09:00:00Z" for i in range(opened)]
        events += [f"{prefix}{i}@x.com,replied,2026-05-02T10:00:00Z" for i in range(replied)]
    path = write_csv("\n".join(events) + "\n", "ev.csv")
    recorded = cli("activity", "import", path, "--campaign", "Seed", "--json")
    assert recorded.exit_code == 0, recorded.stderr
    assert recorded.json()["recorded"] == 1350
    assert stats(cli, "Seed") == expected("Seed", 1000, contacted=1000, opened=300, replied=50)

    assert cli("rollback", first, "--yes").exit_code == 0

    after = stats(cli, "Seed")
    assert after == expected("Seed", 500, contacted=500, opened=150, replied=30)
    assert (after["opened"], after["replied"]) == (
        {"count": 150, "rate": 0.30},
        {"count": 30, "rate": 0.06},
    )
    assert cli("restore", first).exit_code == 0
    assert stats(cli, "Seed") == expected("Seed", 1000, contacted=1000, opened=300, replied=50)
    assert second != first


def test_statistics_count_leads_once_per_metric_from_activity_and_status(
    cli, database_url, write_csv
):
    cli("campaign", "create", "S")
    emails = ["a", "b", "c", "d", "e"]
    cli("import", write_csv("Email\n" + "".join(f"{e}@x.com\n" for e in emails)), "--campaign", "S")
    events = (
        "email,type,at\n"
        "a@x.com,sent,2026-05-01T08:00:00Z\n"
        "a@x.com,sent,2026-05-08T08:00:00Z\n"
        "a@x.com,opened,2026-05-01T09:00:00Z\n"
        "a@x.com,opened,2026-05-01T09:05:00Z\n"
        "a@x.com,clicked,2026-05-01T09:06:00Z\n"
        "a@x.com,replied,2026-05-01T10:00:00Z\n"
        "a@x.com,meeting_booked,2026-05-03T10:00:00Z\n"
        "b@x.com,sent,2026-05-01T08:00:00Z\n"
        "b@x.com,bounced,2026-05-01T08:01:00Z\n"
        "c@x.com,sent,2026-05-01T08:00:00Z\n"
        "c@x.com,unsubscribed,2026-05-02T08:00:00Z\n"
    )
    assert cli("activity", "import", write_csv(events, "ev.csv"), "--campaign", "S").exit_code == 0
    sql(
        database_url,
        "UPDATE campaign_leads SET status = :s WHERE lead_id ="
        " (SELECT id FROM leads WHERE email = :e)",
        s="interested",
        e="d@x.com",
    )
    sql(
        database_url,
        "UPDATE campaign_leads SET status = :s WHERE lead_id ="
        " (SELECT id FROM leads WHERE email = :e)",
        s="unsubscribed",
        e="e@x.com",
    )

    assert stats(cli, "S") == expected(
        "S",
        5,
        contacted=3,
        opened=1,
        clicked=1,
        replied=1,
        interested=1,
        bounced=1,
        meetings_booked=1,
        unsubscribed=2,
    )
    sql(
        database_url,
        "DELETE FROM campaign_leads WHERE lead_id = (SELECT id FROM leads WHERE email = :e)",
        e="d@x.com",
    )
    assert stats(cli, "S") == expected(
        "S",
        4,
        contacted=3,
        opened=1,
        clicked=1,
        replied=1,
        bounced=1,
        meetings_booked=1,
        unsubscribed=2,
    )
    human = cli("stats", "S")
    assert human.exit_code == 0
    assert "contacted" in human.stdout
    assert "75.0%" in human.stdout
    assert "meetings booked" in human.stdout


def test_a_campaign_without_leads_has_zero_rates(cli):
    cli("campaign", "create", "Empty")
    assert stats(cli, "Empty") == expected("Empty", 0)
    assert all(stats(cli, "Empty")[k] == {"count": 0, "rate": 0.0} for k in KEYS)


def test_stats_of_an_unknown_campaign_are_refused(cli):
    result = cli("stats", "Nope", "--json")
    assert (result.exit_code, result.stderr) == (
        1,
        "leadport: No campaign named 'Nope' in this workspace.\n",
    )


def test_activity_add_stores_the_time_in_utc_and_defaults_to_now(cli, database_url, campaign_c):
    before = datetime.now(UTC).replace(microsecond=0)
    done = cli(
        "activity",
        "add",
        "A@X.com ",
        "--campaign",
        "C",
        "--type",
        "opened",
        "--at",
        "2026-05-03T10:00:00+02:00",
    )
    assert (done.exit_code, done.stdout) == (
        0,
        "Recorded opened for A@X.com in C at 2026-05-03T08:00:00+00:00.\n",
    )
    assert cli("activity", "add", "a@x.com", "--campaign", "C", "--type", "sent").exit_code == 0
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(activities.c.type, activities.c.at)).all()
    finally:
        engine.dispose()
    times = {kind: at if at.tzinfo else at.replace(tzinfo=UTC) for kind, at in rows}
    assert times["opened"] == datetime(2026, 5, 3, 8, 0, tzinfo=UTC)
    assert before <= times["sent"] <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["zed@x.com", "--type", "opened"],
            1,
            "No lead has the email zed@x.com in this workspace.",
        ),
        (["c@x.com", "--type", "opened"], 1, "The lead c@x.com is not in the campaign 'C'."),
        (["nope", "--type", "opened"], 2, "'nope' is not a valid email address."),
        (
            ["a@x.com", "--type", "opened", "--at", "yesterday"],
            2,
            "--at 'yesterday' is not an ISO-8601 time such as 2026-05-01T09:30:00Z.",
        ),
    ],
)
def test_activity_add_refusals(cli, database_url, campaign_c, args, code, message):
    before = snapshot(database_url)
    result = cli("activity", "add", *args, "--campaign", "C")
    assert (result.exit_code, result.stderr) == (code, f"leadport: {message}\n")
    assert snapshot(database_url) == before


def test_activity_add_refuses_an_unknown_type_as_a_usage_error(cli, campaign_c):
    result = cli("activity", "add", "a@x.com", "--campaign", "C", "--type", "opend")
    assert result.exit_code == 2
    assert "opend" in result.stderr


GOOD = "a@x.com,opened,2026-05-01T09:00:00Z\nb@x.com,sent,2026-05-01T09:00:00Z\n"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            "zed@x.com,opened,2026-05-01",
            "ev.csv row 4, column email: no lead has the email zed@x.com in this workspace",
        ),
        (
            "c@x.com,opened,2026-05-01",
            "ev.csv row 4, column email: the lead c@x.com is not in the campaign 'C'",
        ),
        (
            "a@x.com,opend,2026-05-01",
            f"ev.csv row 4, column type: 'opend' is not an activity type (use one of {TYPES})",
        ),
        (
            "a@x.com,opened,yesterday",
            "ev.csv row 4, column at: 'yesterday' is not an ISO-8601 time such as "
            "2026-05-01T09:30:00Z",
        ),
        (
            "a@,opened,2026-05-01",
            "ev.csv row 4, column email: 'a@' is not a valid email address",
        ),
        (
            ",opened,2026-05-01",
            "ev.csv row 4, column email: the email is empty",
        ),
    ],
)
def test_activity_import_refuses_the_whole_file_for_one_bad_row(
    cli, database_url, write_csv, campaign_c, monkeypatch, bad_row, message
):
    monkeypatch.setattr("leadport.services.activity.BATCH", 2)  # the bad row is in a later batch
    path = write_csv("email,type,at\n" + GOOD + bad_row + "\n" + GOOD, "ev.csv")
    before = snapshot(database_url)

    result = cli("activity", "import", path, "--campaign", "C")

    assert (result.exit_code, result.stderr) == (
        1,
        f"leadport: {message}; nothing was recorded.\n",
    )
    assert snapshot(database_url) == before


def test_activity_import_refuses_a_file_without_a_type_column(cli, write_csv, campaign_c):
    result = cli(
        "activity", "import", write_csv("email,at\na@x.com,\n", "ev.csv"), "--campaign", "C"
    )
    assert (result.exit_code, result.stderr) == (
        1,
        "leadport: ev.csv has no type column (its columns: email, at); an activity file has "
        "the columns email, type and at.\n",
    )


def test_activity_import_reads_other_encodings_and_delimiters_and_keeps_an_event_once(
    cli, database_url, write_csv, campaign_c
):
    text = "E-mail;Type;At\r\nA@x.com;Opened;2026-05-01 09:00\r\nb@x.com;replied;\r\n"
    path = write_csv(text, "ev.csv", encoding="cp1252")
    first = cli("activity", "import", path, "--campaign", "C", "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json() == {
        "campaign": "C",
        "events": 2,
        "recorded": 2,
        "duplicates": 0,
        "by_type": {"opened": 1, "replied": 1},
        "leads_bounced": 0,
        "unsubscribed": 0,
    }
    again = cli(
        "activity",
        "import",
        write_csv(text.replace("b@x.com;replied;\r\n", ""), "e2.csv"),
        "--campaign",
        "C",
        "--json",
    )
    assert (again.json()["recorded"], again.json()["duplicates"]) == (0, 1)
    assert sql(database_url, "SELECT count(*) FROM activities") == [(2,)]


def test_a_bounce_marks_the_email_and_a_later_import_rejects_it_as_invalid(
    cli, database_url, write_csv, campaign_c
):
    done = cli("activity", "add", "a@x.com", "--campaign", "C", "--type", "bounced")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.endswith("Emails marked bounced: 1.\n")
    assert lead(database_url, "a@x.com")["email_status"] == "bounced"
    cli("campaign", "create", "Strict", "--reject-invalid-leads")
    cli("campaign", "create", "Lax")
    path = write_csv("Email\na@x.com\nb@x.com\n", "again.csv")

    strict = cli("import", path, "--campaign", "Strict", "--policy", "campaign", "--json").json()
    lax = cli("import", path, "--campaign", "Lax", "--policy", "campaign", "--json").json()

    assert [r["campaign_code"] for r in strict["rows"]] == ["invalid_lead", "imported"]
    assert [r["campaign_code"] for r in lax["rows"]] == ["imported", "imported"]


def test_an_unsubscribe_sets_the_status_in_that_campaign_only(cli, database_url, write_csv):
    cli("campaign", "create", "C")
    cli("campaign", "create", "D")
    path = write_csv("Email\na@x.com\n")
    cli("import", path, "--campaign", "C", "--policy", "campaign")
    cli("import", path, "--campaign", "D", "--policy", "campaign")

    done = cli("activity", "add", "a@x.com", "--campaign", "C", "--type", "unsubscribed")

    assert done.exit_code == 0, done.stderr
    assert sorted(
        sql(
            database_url,
            "SELECT c.name, m.status FROM campaign_leads m JOIN campaigns c ON c.id = m.campaign_id",
        )
    ) == [("C", "unsubscribed"), ("D", "scheduled")]
    assert stats(cli, "C")["unsubscribed"] == {"count": 1, "rate": 1.0}


def test_members_record_activity_see_stats_and_export(cli, write_csv, campaign_c, tmp_path):
    cli("member", "add", "bob@x.com", "--role", "member")
    add = cli(
        "activity", "add", "a@x.com", "--campaign", "C", "--type", "sent", "--as", "bob@x.com"
    )
    assert add.exit_code == 0, add.stderr
    assert cli("stats", "C", "--as", "bob@x.com", "--json").json()["contacted"]["count"] == 1
    out = tmp_path / "out.csv"
    assert cli("export", "leads", "-o", out, "--as", "bob@x.com").exit_code == 0
    stranger = cli("stats", "C", "--as", "eve@x.com")
    assert (stranger.exit_code, stranger.stderr) == (
        1,
        "leadport: eve@x.com is not a member of this workspace.\n",
    )


@pytest.mark.parametrize(
    "command",
    [
        ["activity", "add"],
        ["activity", "import"],
        ["stats"],
        ["export", "leads"],
        ["export", "stats"],
    ],
)
def test_every_command_has_help_and_is_in_the_readme(cli, command):
    from pathlib import Path

    result = cli(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"leadport {' '.join(command)} " in readme


def test_a_list_of_events_names_leads_by_email_or_id_and_campaigns_per_event(
    cli, app, database_url, write_csv
):
    """The service as the API calls it: each event may name its own campaign."""
    from leadport.db.engine import read_transaction, write_transaction
    from leadport.errors import NotFoundError
    from leadport.services import directory
    from leadport.services.activity import ActivityEvent, record_activities
    from leadport.services.stats import campaign_stats

    cli("campaign", "create", "C")
    cli("campaign", "create", "D")
    path = write_csv("Email\na@x.com\n")
    cli("import", path, "--campaign", "C", "--policy", "campaign")
    cli("import", path, "--campaign", "D", "--policy", "campaign")
    lead_id = sql(database_url, "SELECT id FROM leads WHERE email = 'a@x.com'")[0][0]
    with read_transaction(app.engine) as conn:
        ws = directory.find_workspace(conn, None)
    events = [
        ActivityEvent(type="sent", email="a@x.com", campaign="C", at="2026-05-01T08:00:00Z", row=1),
        ActivityEvent(type="Replied", lead_id=lead_id, campaign="D", at=None, row=2),
    ]

    with write_transaction(app.engine) as conn:
        result = record_activities(conn, ws, None, events)

    assert (result.recorded, result.by_type) == (2, {"sent": 1, "replied": 1})
    with read_transaction(app.engine) as conn:
        c = campaign_stats(conn, directory.find_campaign(conn, ws.id, "C"))
        d = campaign_stats(conn, directory.find_campaign(conn, ws.id, "D"))
    assert (c.counts["contacted"], c.counts["replied"]) == (1, 0)
    assert (d.counts["contacted"], d.counts["replied"]) == (0, 1)
    before = snapshot(database_url)
    bad = [events[0], ActivityEvent(type="sent", lead_id=lead_id, campaign="X", row=2)]
    with pytest.raises(NotFoundError) as refused, write_transaction(app.engine) as conn:
        record_activities(conn, ws, None, bad)
    assert refused.value.message == (
        "Event 2, campaign: there is no campaign named 'X' in this workspace; nothing was recorded."
    )
    assert refused.value.detail == {"event": 2, "field": "campaign"}
    assert snapshot(database_url) == before


def test_the_first_bad_row_in_file_order_is_the_one_named(cli, database_url, write_csv, campaign_c):
    path = write_csv("email,type,at\n" + GOOD + "c@x.com,opened,\na@x.com,opend,\n", "ev.csv")
    result = cli("activity", "import", path, "--campaign", "C")
    assert (result.exit_code, result.stderr) == (
        1,
        "leadport: ev.csv row 4, column email: the lead c@x.com is not in the campaign 'C'; "
        "nothing was recorded.\n",
    )

"""`leadport imports list`: the history a user reads, newest first, rolled-back imports only with
--all, a restored import back as completed, per campaign and per workspace."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.rollback_helpers import import_id, sql


@pytest.fixture
def history(cli, write_csv):
    """Three imports: the admin's into Q4, a member's into Q5, the admin's into no campaign."""
    cli("campaign", "create", "Q4")
    cli("campaign", "create", "Q5")
    cli("member", "add", "m@x.com")
    q4 = import_id(
        cli(
            "import",
            write_csv("Email\na@x.com\nb@x.com\nnot-an-email\n", "q4.csv"),
            "--campaign",
            "Q4",
            "--json",
        )
    )
    q5 = import_id(
        cli(
            "import",
            write_csv("Email\na@x.com\nc@x.com\n", "q5.csv"),
            "--campaign",
            "Q5",
            "--policy",
            "campaign",
            "--as",
            "m@x.com",
            "--json",
        )
    )
    plain = import_id(cli("import", write_csv("Email\nd@x.com\n", "plain.csv"), "--json"))
    return q4, q5, plain


def _list(cli, *args: str) -> list[dict]:
    listed = cli("imports", "list", *args, "--json")
    assert listed.exit_code == 0, listed.stderr
    return listed.json()


def test_imports_list_gives_the_contract_json_newest_first(cli, history):
    q4, q5, plain = history

    listed = _list(cli)

    for entry in listed:
        created = datetime.fromisoformat(entry.pop("created_at"))
        assert created.utcoffset() is not None
        assert created.utcoffset().total_seconds() == 0
    assert listed == [
        {
            "import_id": plain,
            "file_name": "plain.csv",
            "source": "csv",
            "state": "completed",
            "member": "admin@localhost",
            "campaign": None,
            "account": {"added": 1, "modified": 0, "rejected": 0},
            "campaign_counts": None,
        },
        {
            "import_id": q5,
            "file_name": "q5.csv",
            "source": "csv",
            "state": "completed",
            "member": "m@x.com",
            "campaign": "Q5",
            "account": {"added": 1, "modified": 1, "rejected": 0},
            "campaign_counts": {
                "imported": 2,
                "excluded_duplicates": 0,
                "active_elsewhere": 0,
                "failed": 0,
            },
        },
        {
            "import_id": q4,
            "file_name": "q4.csv",
            "source": "csv",
            "state": "completed",
            "member": "admin@localhost",
            "campaign": "Q4",
            "account": {"added": 2, "modified": 0, "rejected": 1},
            "campaign_counts": {
                "imported": 2,
                "excluded_duplicates": 0,
                "active_elsewhere": 0,
                "failed": 0,
            },
        },
    ]


def test_imports_list_of_a_campaign_keeps_only_its_imports(cli, history):
    q4, q5, _ = history

    assert [e["import_id"] for e in _list(cli, "--campaign", "Q4")] == [q4]
    assert [e["import_id"] for e in _list(cli, "--campaign", "Q5")] == [q5]


def test_imports_list_of_an_unknown_campaign_is_refused(cli, history):
    listed = cli("imports", "list", "--campaign", "Q9")

    assert listed.exit_code == 1
    assert listed.stderr == "leadport: No campaign named 'Q9' in this workspace.\n"


def test_a_rolled_back_import_is_hidden_unless_all_and_a_restored_one_is_back(cli, history):
    q4, q5, plain = history
    assert cli("rollback", q4, "--yes").exit_code == 0

    shown = [e["import_id"] for e in _list(cli)]
    everything = {e["import_id"]: e["state"] for e in _list(cli, "--all")}
    of_q4 = _list(cli, "--campaign", "Q4")
    assert cli("restore", q4).exit_code == 0
    restored = {e["import_id"]: e["state"] for e in _list(cli)}

    assert shown == [plain, q5]
    assert list(everything) == [plain, q5, q4]
    assert everything[q4] == "rolled_back"
    assert of_q4 == []
    assert list(restored) == [plain, q5, q4]
    assert restored[q4] == "completed"


def test_dry_runs_are_never_listed(cli, database_url, write_csv, history):
    _, _, plain = history
    dry = cli("import", write_csv("Email\ne@x.com\n", "dry.csv"), "--dry-run", "--json")
    # A background dry run (the API's) keeps its import row for its report: still not history.
    sql(database_url, "UPDATE imports SET dry_run = :t WHERE id = :i", t=True, i=int(plain))

    assert dry.exit_code == 0, dry.stderr
    for args in ((), ("--all",)):
        ids = [e["import_id"] for e in _list(cli, *args)]
        assert plain not in ids
        assert len(ids) == 2


def test_an_unfinished_import_shows_its_state_and_zero_counts(cli, database_url, history):
    q4, _, _ = history
    sql(
        database_url,
        "UPDATE imports SET state = 'queued', summary = NULL WHERE id = :i",
        i=int(q4),
    )

    [entry] = [e for e in _list(cli) if e["import_id"] == q4]

    assert (entry["state"], entry["campaign"]) == ("queued", "Q4")
    assert entry["account"] == {"added": 0, "modified": 0, "rejected": 0}
    assert entry["campaign_counts"] is None


def test_imports_list_shows_only_its_workspaces_imports(cli, write_csv, history):
    cli("workspace", "create", "Other")
    other = import_id(
        cli("import", write_csv("Email\nz@x.com\n", "z.csv"), "--workspace", "Other", "--json")
    )

    assert [e["import_id"] for e in _list(cli, "--workspace", "Other")] == [other]
    assert other not in [e["import_id"] for e in _list(cli, "--workspace", "default")]


def test_a_member_may_read_the_history(cli, history):
    assert len(_list(cli, "--as", "m@x.com")) == 3


def test_imports_list_without_json_is_a_table_and_says_what_it_hides(cli, history):
    q4, q5, plain = history
    cli("rollback", q5, "--yes")

    listed = cli("imports", "list")

    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    header = next(line for line in lines if "Import" in line)
    for column in ("When (UTC)", "File", "Source", "Campaign", "Member", "State", "Added"):
        assert column in header
    rows = [line.split() for line in lines if " csv " in line]
    assert [row[0] for row in rows] == [plain, q4]
    assert rows[1][3:9] == ["q4.csv", "csv", "Q4", "admin@localhost", "completed", "2"]
    assert lines[-1] == "1 rolled-back import not shown; add --all to list them."


def test_an_empty_history_says_so(cli):
    cli("campaign", "create", "Q4")

    assert cli("imports", "list").stdout == "No imports yet.\n"
    assert cli("imports", "list", "--campaign", "Q4").stdout == (
        "No imports into campaign 'Q4' yet.\n"
    )
    assert cli("imports", "list", "--json").json() == []

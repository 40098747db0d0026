"""Who may roll back which import, and which imports cannot be rolled back: one sentence, exit 1,
nothing written."""

from __future__ import annotations

import pytest

from tests.integration.rollback_helpers import import_id, sql
from tests.integration.snapshots import snapshot


@pytest.fixture
def team(cli, database_url, write_csv):
    """An admin's import and a member's import, in one workspace."""
    assert cli("member", "add", "m@x.com").exit_code == 0
    admins = import_id(cli("import", write_csv("Email\na@x.com\n", "a.csv"), "--json"))
    members = import_id(
        cli("import", write_csv("Email\nm1@x.com\n", "m.csv"), "--as", "m@x.com", "--json")
    )
    return admins, members


def test_a_member_may_not_roll_back_without_members_can_rollback(cli, database_url, team):
    _, members = team
    before = snapshot(database_url)

    for args in (("--yes",), ("--preview",), ()):  # no --yes off a terminal: still this refusal
        refused = cli("rollback", members, *args, "--as", "m@x.com")

        assert refused.exit_code == 1
        assert refused.stderr == (
            f"leadport: Only an admin may roll back import {members}; m@x.com is a member (an "
            "admin can allow members to roll back their own imports with members_can_rollback).\n"
        )
    assert snapshot(database_url) == before


def test_with_members_can_rollback_a_member_rolls_back_only_their_own_imports(
    cli, database_url, team
):
    admins, members = team
    sql(database_url, "UPDATE workspaces SET members_can_rollback = :t", t=True)

    refused = cli("rollback", admins, "--yes", "--as", "m@x.com")
    allowed = cli("rollback", members, "--yes", "--as", "m@x.com", "--json")

    assert refused.exit_code == 1
    assert refused.stderr == (
        f"leadport: m@x.com may roll back only their own imports; import {admins} is another "
        "member's.\n"
    )
    assert allowed.exit_code == 0, allowed.stderr
    assert allowed.json()["leads_deleted"] == 1


def test_an_import_still_running_is_refused(cli, database_url, team):
    admins, _ = team
    sql(database_url, "UPDATE imports SET state = 'running' WHERE id = :i", i=int(admins))
    before = snapshot(database_url)

    for args in (("--yes",), ("--preview",)):
        refused = cli("rollback", admins, *args)
        assert refused.exit_code == 1
        assert refused.stderr == (
            f"leadport: Import {admins} is still running; roll it back once it has finished.\n"
        )
    assert snapshot(database_url) == before


def test_a_rolled_back_failed_or_manual_import_is_refused(cli, database_url, team):
    admins, members = team
    assert cli("rollback", admins, "--yes").exit_code == 0
    sql(database_url, "UPDATE imports SET state = 'failed' WHERE id = :i", i=int(members))

    again = cli("rollback", admins, "--yes")
    failed = cli("rollback", members, "--yes")
    sql(
        database_url,
        "UPDATE imports SET state = 'completed', source = 'manual' WHERE id = :i",
        i=int(members),
    )
    manual = cli("rollback", members, "--yes")

    assert (again.exit_code, failed.exit_code, manual.exit_code) == (1, 1, 1)
    assert again.stderr == f"leadport: Import {admins} is already rolled back.\n"
    assert failed.stderr == (
        f"leadport: Import {members} ended as failed and changed nothing; there is nothing to "
        "roll back.\n"
    )
    assert manual.stderr == (
        f"leadport: Import {members} was entered by hand (source manual); only imports from "
        "csv, xlsx, api or crm can be rolled back.\n"
    )


def test_an_unknown_import_and_a_malformed_id(cli, team):
    missing = cli("rollback", "999", "--yes")
    malformed = cli("rollback", "twelve", "--yes")

    assert (missing.exit_code, missing.stderr) == (1, "leadport: No import 999.\n")
    assert malformed.exit_code == 2
    assert malformed.stderr == "leadport: IMPORT_ID must be a number such as 12, not 'twelve'.\n"


def test_a_kept_dry_run_is_refused_as_having_changed_nothing(cli, database_url, team):
    """A dry run run in the background (API upload) keeps its import row for its report."""
    dry, _ = team
    sql(database_url, "UPDATE imports SET dry_run = :t WHERE id = :i", t=True, i=int(dry))
    before = snapshot(database_url)

    refused = cli("rollback", dry, "--yes")
    not_rolled_back = cli("restore", dry)

    assert (refused.exit_code, refused.stderr) == (
        1,
        f"leadport: Import {dry} was a dry run and changed nothing; there is nothing to roll back.\n",
    )
    assert (not_rolled_back.exit_code, not_rolled_back.stderr) == (
        1,
        f"leadport: Import {dry} is completed, not rolled back; only a rolled-back import can be "
        "restored.\n",
    )
    assert snapshot(database_url) == before

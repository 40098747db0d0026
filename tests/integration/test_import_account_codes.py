"""Every account-step code, in PRODUCT.md's order, through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

HEADER = "First Name,Last Name,Email,LinkedIn URL,Company\n"


def rows_by_number(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {r["row"]: r for r in report["rows"]}


def test_a_clean_file_adds_every_lead_and_numbers_rows_as_a_spreadsheet_does(cli, write_csv):
    path = write_csv(HEADER + "Ada,Lovelace,ada@x.com,,X\nAlan,Turing,alan@y.com,,Y\n")
    result = cli("import", path, "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["rows_read"] == 2
    assert report["account"] == {"added": 2, "modified": 0, "rejected": 0}
    assert report["campaign"] is None
    assert [r["row"] for r in report["rows"]] == [2, 3]
    assert report["rows"][0]["message"] == "New lead added"
    assert report["codes"] == {"added": 2}


def test_rejections_carry_the_exact_codes_and_messages(cli, write_csv):
    path = write_csv(
        HEADER
        + "Ann,One,ann@x.com,,A\n"  # 2 added
        + "No,Id,,,B\n"  # 3 missing_identifier
        + "Bad,Mail,not-an-email,,C\n"  # 4 invalid_email
        + "Ann,Again, ANN@X.COM ,,A\n"  # 5 duplicate of row 2
        + "Li,Only,,https://fr.linkedin.com/in/li-only/,D\n"  # 6 added by LinkedIn
        + "Li,Dup,,http://linkedin.com/in/LI-ONLY?trk=x,D\n"  # 7 duplicate of row 6
    )
    report = cli("import", path, "--json").json()
    rows = rows_by_number(report)
    assert {n: r["code"] for n, r in rows.items()} == {
        2: "added",
        3: "missing_identifier",
        4: "invalid_email",
        5: "duplicate_in_file",
        6: "added",
        7: "duplicate_in_file",
    }
    assert rows[3]["message"] == "Missing email and LinkedIn URL"
    assert rows[4]["message"] == "Invalid email format"
    assert rows[5]["message"] == "Duplicate of row 2 in this file"
    assert rows[7]["message"] == "Duplicate of row 6 in this file"
    assert report["account"] == {"added": 2, "modified": 0, "rejected": 4}


def test_a_re_import_modifies_and_counts_changed_fields(cli, write_csv):
    cli("import", write_csv(HEADER + "Ann,,ann@x.com,,\n", "a.csv"))
    report = cli(
        "import", write_csv(HEADER + "Ann,One,Ann@X.com,,Acme\n", "b.csv"), "--json"
    ).json()
    row = report["rows"][0]
    assert row["code"] == "modified"
    assert row["detail"]["fields_changed"] == 2
    assert row["detail"]["changes"]["last_name"] == {"old": None, "new": "One"}
    assert row["message"] == "Existing lead re-imported (2 fields changed)"
    path = write_csv(HEADER + "Ann,Two,ann@x.com,,\n", "c.csv")
    one = cli("import", path, "--overwrite", "--json").json()["rows"][0]
    assert one["message"] == "Existing lead re-imported (1 field changed)"


def test_create_only_rejects_existing_leads_as_already_exists(cli, write_csv):
    cli("import", write_csv(HEADER + "Ann,,ann@x.com,,\n", "a.csv"))
    report = cli(
        "import",
        write_csv(HEADER + "Ann,,ann@x.com,,\nBob,,bob@x.com,,\n", "b.csv"),
        "--mode",
        "create_only",
        "--json",
    ).json()
    codes = [r["code"] for r in report["rows"]]
    assert codes == ["already_exists", "added"]
    assert report["rows"][0]["message"] == "Email already belongs to a lead within the account"


def test_update_only_never_creates_and_rejects_unknown_rows_as_not_found(cli, write_csv):
    cli("campaign", "create", "C")
    cli("import", write_csv(HEADER + "Ann,,ann@x.com,,\n", "a.csv"))
    report = cli(
        "import",
        write_csv(HEADER + "Ann,One,ann@x.com,,\nBob,,bob@x.com,,\n", "b.csv"),
        "--mode",
        "update_only",
        "--campaign",
        "C",
        "--json",
    ).json()
    assert [r["code"] for r in report["rows"]] == ["modified", "not_found"]
    assert report["rows"][1]["message"] == "No existing lead matches this row"
    assert report["campaign"] is None
    assert all(r["campaign_code"] is None for r in report["rows"])
    shown = cli("lead", "show", "ann@x.com", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["campaigns"] == []


def test_identity_conflict_when_email_and_linkedin_match_two_leads(cli, write_csv):
    cli("import", write_csv(HEADER + "A,,a@x.com,,\nB,,,linkedin.com/in/bee,\n", "a.csv"))
    report = cli(
        "import",
        write_csv(HEADER + "A,,a@x.com,https://www.linkedin.com/in/bee,\n", "b.csv"),
        "--json",
    ).json()
    row = report["rows"][0]
    assert row["code"] == "identity_conflict"
    assert row["detail"]["email_lead_id"] != row["detail"]["linkedin_lead_id"]


def test_plan_limit_rejects_rows_beyond_the_trial_capacity_in_row_order(cli, write_csv):
    assert cli("workspace", "create", "Trial", "--plan", "trial").exit_code == 0
    body = "".join(f"P,{i},p{i}@x.com,,\n" for i in range(103))
    report = cli("import", write_csv(HEADER + body), "--workspace", "Trial", "--json").json()
    assert report["account"]["added"] == 100
    rejected = [r for r in report["rows"] if r["code"] == "plan_limit"]
    assert [r["row"] for r in rejected] == [102, 103, 104]
    assert rejected[0]["message"] == "Max number of leads reached (100)"


def test_a_custom_lead_limit_applies_to_a_paid_workspace(cli, write_csv):
    cli("workspace", "create", "Small", "--lead-limit", "2")
    report = cli(
        "import",
        write_csv(HEADER + "A,,a@x.com,,\nB,,b@x.com,,\nC,,c@x.com,,\n"),
        "--workspace",
        "Small",
        "--json",
    ).json()
    assert [r["code"] for r in report["rows"]] == ["added", "added", "plan_limit"]
    assert report["rows"][2]["message"] == "Max number of leads reached (2)"


def test_a_workspace_full_before_the_import_adds_nobody_but_still_updates(cli, write_csv):
    cli("workspace", "create", "Full", "--lead-limit", "1")
    cli("import", write_csv(HEADER + "A,,a@x.com,,\n", "a.csv"), "--workspace", "Full")
    report = cli(
        "import",
        write_csv(HEADER + "New,,new@x.com,,\nA,Lee,a@x.com,,\n", "b.csv"),
        "--workspace",
        "Full",
        "--json",
    ).json()
    assert [r["code"] for r in report["rows"]] == ["plan_limit", "modified"]


def test_malformed_row_when_extra_cells_hold_data(cli, write_csv):
    report = cli(
        "import", write_csv(HEADER + "A,,a@x.com,,X,surprise\nB,,b@x.com,,Y,,\n"), "--json"
    ).json()
    rows = rows_by_number(report)
    assert rows[2]["code"] == "malformed_row"
    assert rows[2]["message"].startswith("row 2 could not be read: ")
    assert rows[3]["code"] == "added"


def test_possible_duplicate_warns_but_adds_the_lead(cli, write_csv):
    header = "First Name,Last Name,Email,Company Domain\n"
    cli("import", write_csv(header + "John,Smith,john@acme.com,acme.com\n", "a.csv"))
    report = cli(
        "import", write_csv(header + "john,SMITH,j.smith@acme.com,acme.com\n", "b.csv"), "--json"
    ).json()
    row = report["rows"][0]
    assert row["code"] == "added"
    assert "possible_duplicate" in row["warnings"]
    assert row["detail"]["possible_duplicate_of"] == "1"


def test_blank_records_keep_their_number_and_are_not_counted(cli, write_csv):
    report = cli(
        "import", write_csv(HEADER + "A,,a@x.com,,\n,,,,\n\nB,,b@x.com,,\n"), "--json"
    ).json()
    assert report["rows_read"] == 2
    assert [r["row"] for r in report["rows"]] == [2, 5]


def test_header_below_title_lines_is_found(cli, write_csv):
    text = 'Notes:\n"Some emails may be missing."\n\nFirst Name,Last Name,URL,Email Address,Company,Position\n'
    text += "Ada,Lovelace,https://www.linkedin.com/in/ada,ada@x.com,X,CTO\n"
    report = cli("import", write_csv(text), "--json").json()
    assert report["rows"][0]["row"] == 5
    assert report["rows"][0]["code"] == "added"
    shown = cli("lead", "show", "ada@x.com", "--json")
    assert shown.exit_code == 0, shown.stderr
    lead = shown.json()
    assert lead["linkedin_url"] == "https://www.linkedin.com/in/ada"
    assert lead["job_title"] == "CTO"


def test_permanently_deleted_email_is_rejected_until_the_list_is_cleaned(cli, write_csv):
    path = write_csv(HEADER + "A,,a@x.com,,\n")
    cli("import", path)
    deleted = cli("lead", "delete", "a@x.com", "--permanent")
    assert deleted.exit_code == 0, deleted.stderr
    report = cli("import", path, "--json").json()
    assert report["rows"][0]["code"] == "permanently_deleted"
    assert report["rows"][0]["message"] == "Email was permanently deleted"
    assert cli("deleted", "clean").exit_code == 0
    assert cli("import", path, "--json").json()["rows"][0]["code"] == "added"


def test_nul_characters_in_cells_are_dropped(app, write_csv):
    from leadport.db.engine import read_transaction
    from leadport.domain.options import ImportOptions
    from leadport.services import directory
    from leadport.services.imports import ImportRequest, run_import

    with read_transaction(app.engine) as conn:
        ws = directory.find_workspace(conn, None)
    rows = [{"email": "nul@x.com", "first_name": "A\x00nn"}]
    result = run_import(
        app.engine, app.settings, ImportRequest(ws.id, None, ImportOptions(source="api"), rows=rows)
    )
    assert result.summary["account"]["added"] == 1

"""The rejected-rows CSV re-imports as it is; a repeated file is flagged before it runs."""

from __future__ import annotations

import csv
import io
import re

from leadport.db.engine import read_transaction
from leadport.services.report import import_record, iter_outcomes
from leadport.writers.rejected_csv import write_rejected_csv


def rejected_csv(app, import_id: int) -> str:
    with read_transaction(app.engine) as conn:
        headers = import_record(conn, import_id)["summary"]
        headers = (
            headers["headers"]
            if isinstance(headers, dict)
            else __import__("json").loads(headers)["headers"]
        )
        out = io.StringIO()
        write_rejected_csv(out, headers, iter_outcomes(conn, import_id))
    return out.getvalue()


def test_rejected_rows_csv_has_original_cells_and_leadport_columns(app, cli, write_csv):
    path = write_csv('Email,Name,Phone\nok@x.com,Ok,\nnope,=HYPERLINK("x"),+33 1\n,Nobody,\n')
    report = cli("import", path, "--json").json()
    text = rejected_csv(app, int(report["import_id"]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Email",
        "Name",
        "Phone",
        "leadport_row",
        "leadport_code",
        "leadport_reason",
        "leadport_conflict",
    ]
    assert rows[1] == [
        "nope",
        '\'=HYPERLINK("x")',
        "'+33 1",
        "3",
        "invalid_email",
        "Invalid email format",
        "",
    ]
    assert rows[2][:6] == [
        "",
        "Nobody",
        "",
        "4",
        "missing_identifier",
        "Missing email and LinkedIn URL",
    ]


def test_the_rejected_csv_re_imports_as_it_is_once_fixed(app, cli, write_csv):
    report = cli("import", write_csv("Email,Name\nnope,=SUM(1)\n"), "--json").json()
    text = rejected_csv(app, int(report["import_id"])).replace("nope", "fixed@x.com")
    again = cli("import", write_csv(text, "fixed.csv"), "--json").json()
    assert again["account"]["added"] == 1
    shown = cli("lead", "show", "fixed@x.com", "--json")
    assert shown.exit_code == 0, shown.stderr
    lead = shown.json()
    assert lead["custom_fields"] == {"Name": "=SUM(1)"}


def test_a_file_already_imported_into_the_same_target_is_flagged(cli, write_csv):
    cli("campaign", "create", "C")
    path = write_csv("Email\na@x.com\n")
    first = cli("import", path, "--campaign", "C", "--json").json()
    second = cli("import", path, "--campaign", "C")
    assert second.exit_code == 0
    assert re.search(
        rf"already imported into this target on \d{{4}}-\d\d-\d\d \d\d:\d\d UTC "
        rf"as import {first['import_id']}\.",
        second.stderr.replace("\n", " "),
    ), second.stderr
    other_target = cli("import", path)
    assert "already imported" not in other_target.stderr


def test_the_rows_not_taken_alone_give_the_same_rejected_csv(app, cli, write_csv):
    path = write_csv(
        "Email,Name\nok@x.com,Ok\nnope,Bad\n OK@X.COM,Again\nfine@x.com,Fine\n,Nobody\n"
    )
    import_id = int(cli("import", path, "--json").json()["import_id"])
    with read_transaction(app.engine) as conn:
        headers = ["Email", "Name"]
        every, alone = io.StringIO(), io.StringIO()
        assert write_rejected_csv(every, headers, iter_outcomes(conn, import_id)) == 3
        rows = list(iter_outcomes(conn, import_id, not_taken_only=True))
        assert [o.row for o, _ in rows] == [3, 4, 6]
        assert write_rejected_csv(alone, headers, rows) == 3
    assert alone.getvalue() == every.getvalue()


def test_the_cli_writes_the_rejected_rows_csv_it_points_to(app, cli, write_csv, tmp_path):
    cli("campaign", "create", "C")
    cli("import", write_csv("Email\ntaken@x.com\n", "first.csv"), "--campaign", "C")
    path = write_csv("Email,Name\nok@x.com,Ok\nnope,Bad\ntaken@x.com,Again\n,Nobody\n")
    done = cli("import", path, "--campaign", "C")
    assert done.exit_code == 0, done.stderr
    import_id = int(cli("imports", "list", "--json").json()[0]["import_id"])
    assert done.stdout.splitlines()[-2:] == [
        "The 3 rows not taken, with the reasons, as a CSV to fix and import again:",
        f"  leadport imports rejected {import_id} -o rejected-{import_id}.csv",
    ]

    named = cli("import", write_csv("Email\nx@\n", "bad.csv"), "--workspace", "default")
    next_id = import_id + 1
    assert named.stdout.splitlines()[-1] == (
        f"  leadport imports rejected {next_id} -o rejected-{next_id}.csv --workspace default"
    )

    out = tmp_path / "rejected.csv"
    wrote = cli("imports", "rejected", str(import_id), "-o", out)
    assert wrote.exit_code == 0, wrote.stderr
    assert wrote.stdout.strip() == f"Wrote 3 rows not taken by import {import_id} to {out}."
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheet programs read UTF-8
    assert data.decode("utf-8-sig") == rejected_csv(app, import_id)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("nope", "3", "invalid_email"),
        ("taken@x.com", "4", "in_campaign"),
        ("", "5", "missing_identifier"),
    ]
    assert list(tmp_path.glob(".rejected.csv.*")) == []  # no temporary file left


def test_the_cli_refuses_what_has_no_rejected_rows_file_and_writes_nothing(
    cli, write_csv, tmp_path
):
    path = write_csv("Email\nnope\n")
    assert "not taken" not in cli("import", path, "--dry-run").stdout  # it keeps nothing
    real_id = int(cli("import", path, "--json").json()["import_id"])
    out = tmp_path / "out.csv"

    missing = cli("imports", "rejected", "999", "-o", out)
    assert missing.exit_code == 1
    assert "No import 999 in this workspace." in missing.stderr

    elsewhere = cli("imports", "rejected", str(real_id), "-o", tmp_path / "nowhere" / "x.csv")
    assert elsewhere.exit_code == 1
    assert "the folder" in elsewhere.stderr
    assert "does not exist" in elsewhere.stderr

    wrong = cli("imports", "rejected", str(real_id), "-o", tmp_path / "x.xlsx")
    assert wrong.exit_code == 2
    assert "must end in .csv" in wrong.stderr

    assert not out.exists()
    assert list(tmp_path.glob("*.xlsx")) == []
    assert list(tmp_path.glob(".out.csv.*")) == []

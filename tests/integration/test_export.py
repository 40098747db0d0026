"""Lead and statistics exports: lossless re-import, formula-safe cells, columns, refusals."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from leadport.writers.safe_cells import DANGEROUS_STARTS
from tests.integration.rollback_helpers import add_activity, import_id, sql

# Values that a spreadsheet would run as formulas, and text beyond ASCII, in every kind of column.
LEADS = (
    "Email,LinkedIn,First Name,Last Name,Company,Website,Job Title,Phone,Notes,Score,Tags,Role\n"
    "ann@acme.com,https://fr.linkedin.com/in/Ann-Zoë/,=cmd|' /C calc'!A0,+Plus,-Minus Corp,"
    'acme.com,@mention,+33 6 12 34 56 78,"=HYPERLINK(""http://x"")","-3","=vip, @home",CEO\n'
    'bjorn@acme.com,,Bjørn,Ørsted,東京 Trading,,Directeur général,,"two\nlines",+1,q4; été,\n'
    "plain@acme.com,,,,,,,,,,,\n"
)


def rows_of(path: Path) -> list[list[Any]]:
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def workspace_leads(database_url: str, workspace: str) -> list[tuple[Any, ...]]:
    """Every lead of the workspace as (fields…, custom fields, tags), ids left out."""
    found = sql(
        database_url,
        "SELECT l.email, l.linkedin_url, l.first_name, l.last_name, l.company_name,"
        " l.company_domain, l.job_title, l.phone, l.custom_fields, l.tags"
        " FROM leads l JOIN workspaces w ON w.id = l.workspace_id WHERE w.name = :w"
        " ORDER BY l.email",
        w=workspace,
    )
    return [(*r[:8], _json(r[8]) or {}, _json(r[9]) or []) for r in found]


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture
def exported(cli, write_csv):
    """The default workspace with three awkward leads in campaign C; a custom field named like a
    lead field (`Role` kept as custom:Title), and tags from the file and the import."""
    cli("campaign", "create", "C")
    result = cli(
        "import",
        write_csv(LEADS),
        "--campaign",
        "C",
        "--tag",
        "-imported",
        "--map",
        "Role=custom:Title",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["account"]["added"] == 3
    return import_id(result)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("scope", ["workspace", "campaign"])
def test_an_export_reimports_into_a_fresh_workspace_field_for_field(
    cli, database_url, tmp_path, exported, suffix, scope
):
    out = tmp_path / f"leads{suffix}"
    args = ["--campaign", "C"] if scope == "campaign" else []
    done = cli("export", "leads", "-o", out, *args)
    assert done.exit_code == 0, done.stderr
    assert cli("workspace", "create", "Fresh").exit_code == 0

    again = cli("import", out, "--workspace", "Fresh", "--json")

    assert again.exit_code == 0, again.stderr
    assert again.json()["account"] == {"added": 3, "modified": 0, "rejected": 0}
    original = workspace_leads(database_url, "default")
    assert workspace_leads(database_url, "Fresh") == original
    ann = original[0]
    assert ann[2:8] == (
        "=cmd|' /C calc'!A0",
        "+Plus",
        "-Minus Corp",
        "acme.com",
        "@mention",
        "+33612345678",
    )
    assert ann[8] == {"Notes": '=HYPERLINK("http://x")', "Score": "-3", "Title": "CEO"}
    assert ann[9] == ["=vip", "@home", "-imported"]
    assert original[1][4] == "東京 Trading"
    assert original[1][8]["Notes"] == "two\nlines"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_no_exported_cell_starts_with_a_formula_character(cli, tmp_path, exported, suffix):
    out = tmp_path / f"leads{suffix}"
    assert cli("export", "leads", "-o", out, "--campaign", "C").exit_code == 0
    rows = rows_of(out)
    texts = [c for row in rows for c in row if isinstance(c, str)]
    assert not [c for c in texts if c.startswith(DANGEROUS_STARTS)]
    ann = dict(zip(rows[0], rows[1], strict=True))
    assert (ann["first_name"], ann["phone"], ann["tags"]) == (
        "'=cmd|' /C calc'!A0",
        "'+33612345678",
        "'=vip, @home, -imported",
    )
    assert ann["custom:Title"] == "CEO"


def test_a_campaign_export_has_status_import_and_activity_counts(
    cli, database_url, tmp_path, exported
):
    add_activity(database_url, "ann@acme.com", "C", "sent", "sent", "opened", "replied")
    out = tmp_path / "c.csv"

    done = cli("export", "leads", "--campaign", "C", "-o", out)

    assert (done.exit_code, done.stdout) == (0, f"Exported 3 leads of campaign C to {out}.\n")
    rows = rows_of(out)
    assert rows[0] == [
        "email",
        "linkedin_url",
        "first_name",
        "last_name",
        "company_name",
        "company_domain",
        "job_title",
        "phone",
        "Notes",
        "Score",
        "custom:Title",
        "tags",
        "leadport_lead_id",
        "leadport_status",
        "leadport_import_id",
        "leadport_sent",
        "leadport_opened",
        "leadport_clicked",
        "leadport_replied",
        "leadport_bounced",
        "leadport_meeting_booked",
        "leadport_unsubscribed",
    ]
    ann = dict(zip(rows[0], rows[1], strict=True))
    assert (ann["leadport_status"], ann["leadport_import_id"]) == ("scheduled", exported)
    assert [ann[f"leadport_{t}"] for t in ("sent", "opened", "clicked", "replied")] == [
        "2",
        "1",
        "0",
        "1",
    ]
    plain = dict(zip(rows[0], rows[3], strict=True))
    assert plain["email"] == "plain@acme.com"
    assert (plain["Notes"], plain["tags"]) == ("", "'-imported")


def test_a_workspace_export_lists_campaigns_and_sums_activity(
    cli, database_url, write_csv, tmp_path, exported
):
    cli("campaign", "create", "B")
    cli(
        "import",
        write_csv("Email\nann@acme.com\n", "b.csv"),
        "--campaign",
        "B",
        "--policy",
        "campaign",
    )
    add_activity(database_url, "ann@acme.com", "C", "sent")
    add_activity(database_url, "ann@acme.com", "B", "sent", "opened")
    out = tmp_path / "all.xlsx"

    assert cli("export", "leads", "-o", out).exit_code == 0

    rows = rows_of(out)
    assert rows[0][-9:] == [
        "leadport_lead_id",
        "leadport_campaigns",
        "leadport_sent",
        "leadport_opened",
        "leadport_clicked",
        "leadport_replied",
        "leadport_bounced",
        "leadport_meeting_booked",
        "leadport_unsubscribed",
    ]
    ann = dict(zip(rows[0], rows[1], strict=True))
    assert ann["leadport_campaigns"] == "B (scheduled); C (scheduled)"
    assert (ann["leadport_sent"], ann["leadport_opened"]) == (2, 1)
    assert len(rows) == 4


def test_custom_fields_that_would_map_elsewhere_get_a_custom_prefix(
    cli, database_url, write_csv, tmp_path
):
    cli(
        "import",
        write_csv("Email,A,B,C,D,E\nx@acme.com,1,2,3,4,5\n"),
        "--map",
        "A=custom:Company",
        "--map",
        "B=custom:leadport_note",
        "--map",
        "C=custom:=sum",
        "--map",
        "D=custom:custom:odd",
        "--map",
        "E=custom:tags",
    )
    cli(
        "import",
        write_csv("Email,company\ny@acme.com,6\n", "y.csv"),
        "--map",
        "company=custom:company",
    )
    out = tmp_path / "x.csv"
    assert cli("export", "leads", "-o", out).exit_code == 0
    header = rows_of(out)[0]
    assert header[8:-9] == [
        "custom:=sum",
        "custom:Company",
        "custom: company",
        "custom:custom:odd",
        "custom:leadport_note",
        "custom:tags",
        "tags",
    ]
    cli("workspace", "create", "Fresh")
    assert cli("import", out, "--workspace", "Fresh").exit_code == 0
    assert workspace_leads(database_url, "Fresh") == workspace_leads(database_url, "default")


def test_statistics_export_has_one_line_per_metric(cli, database_url, tmp_path, exported):
    add_activity(database_url, "ann@acme.com", "C", "sent", "opened")
    add_activity(database_url, "bjorn@acme.com", "C", "sent")
    out = tmp_path / "stats.csv"

    done = cli("export", "stats", "--campaign", "C", "-o", out)

    assert (done.exit_code, done.stdout) == (
        0,
        f"Exported the statistics of C (3 leads) to {out}.\n",
    )
    assert rows_of(out) == [
        ["campaign", "metric", "count", "rate"],
        ["C", "leads", "3", ""],
        ["C", "contacted", "2", "0.6667"],
        ["C", "opened", "1", "0.3333"],
        ["C", "clicked", "0", "0.0000"],
        ["C", "replied", "0", "0.0000"],
        ["C", "interested", "0", "0.0000"],
        ["C", "bounced", "0", "0.0000"],
        ["C", "meetings_booked", "0", "0.0000"],
        ["C", "unsubscribed", "0", "0.0000"],
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["leads", "-o", "out.txt"],
            2,
            "The output file 'out.txt' must end in .csv or .xlsx: its extension picks the format.",
        ),
        (
            ["stats", "--campaign", "C", "-o", "out.xlsx"],
            2,
            "The output file 'out.xlsx' must end in .csv: its extension picks the format.",
        ),
        (
            ["leads", "--campaign", "Nope", "-o", "out.csv"],
            1,
            "No campaign named 'Nope' in this workspace.",
        ),
    ],
)
def test_export_refusals_write_nothing(cli, tmp_path, monkeypatch, exported, args, code, message):
    monkeypatch.chdir(tmp_path)
    result = cli("export", *args)
    assert (result.exit_code, result.stderr) == (code, f"leadport: {message}\n")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(("out", ".out"))]


def test_an_export_into_a_missing_folder_is_refused(cli, tmp_path, exported):
    out = tmp_path / "nowhere" / "x.csv"
    result = cli("export", "leads", "-o", out)
    assert (result.exit_code, result.stderr) == (
        1,
        f"leadport: Cannot write {out}: the folder {out.parent} does not exist.\n",
    )


def test_a_failed_export_leaves_the_previous_file_and_no_temporary_one(
    cli, tmp_path, monkeypatch, exported
):
    out = tmp_path / "out" / "leads.csv"
    out.parent.mkdir()
    out.write_text("before\n")
    from leadport.services import exports

    real = exports.lead_cells
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "lead_cells", failing)

    result = cli("export", "leads", "-o", out)

    assert result.exit_code == 1
    assert out.read_text() == "before\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["leads.csv"]

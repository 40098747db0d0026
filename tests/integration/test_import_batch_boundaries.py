"""An import's report and what it writes do not depend on where its batches break.

Rows are decided a batch at a time, and a batch is decided while the one before it is still being
written. Rows that meet across a boundary (an in-file duplicate, a lead modified twice through
two identifiers, a possible duplicate, a membership given by the batch before, an identifier
remembered in the temporary table) must come out exactly as if the file were one batch.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from leadport.bootstrap import build
from leadport.config import Settings
from leadport.db import seen_keys
from leadport.db.engine import read_transaction, write_transaction
from leadport.domain.options import ImportOptions
from leadport.services import directory
from leadport.services.imports import ImportRequest, run_import
from leadport.services.report import iter_outcomes

HEADER = "First Name,Last Name,Email,Company,Website,LinkedIn,Job Title\n"

EXISTING = HEADER + (
    "Eve,One,e1@x.com,Acme,acme.com,linkedin.com/in/eve1,CTO\n"
    "Sam,Two,e2@x.com,Acme,acme.com,,CEO\n"
    "Old,Timer,old@y.com,Y Corp,y.com,,\n"
    "Kim,Four,kim@k.com,,,linkedin.com/in/kim,\n"
)

# Row numbers in comments are the file's (the header is row 1).
IMPORT = HEADER + (
    "Ann,Lee,ann@y.com,Y Corp,y.com,linkedin.com/in/ann,VP\n"  # 2 added
    ",,,,,https://www.linkedin.com/in/eve1/,Chief Tech\n"  # 3 modifies Eve by LinkedIn, joins C
    'Ann,Lee," ANN@Y.COM",,,,\n'  # 4 duplicate of row 2
    "Eve,One,E1@x.com,,,,\n"  # 5 Eve again by email: already in C since row 3
    "Ann,Lee,ann2@y.com,Y Corp,y.com,,\n"  # 6 possible duplicate of row 2's lead
    "Sam,Two,e2@x.com,,,,Founder\n"  # 7 active in Other
    "Bob,Blocked,bob@blocked.com,,,,\n"  # 8 do not contact
    ",,,,,https://www.linkedin.com/in/Zed/,\n"  # 9 added by LinkedIn alone
    ",,,,,linkedin.com/in/zed?trk=x,\n"  # 10 duplicate of row 9
    "Bad,Mail,x@,,,,\n"  # 11 invalid email
    "Cy,Lee,old@y.com,,,linkedin.com/in/kim,\n"  # 12 email of one lead, LinkedIn of another
    ",,,,,https://fr.linkedin.com/in/EVE1/,\n"  # 13 duplicate of row 3
    "Ann,Lee,ann3@y.com,Y Corp,y.com,,\n"  # 14 possible duplicate again
    "Old,Timer,someone@y.com,Y Corp,y.com,,\n"  # 15 possible duplicate of a lead from before
    "Tim,New,tim@n.com,,,linkedin.com/in/tim,\n"  # 16 added
    "Tim,New,tim@n.com,,,linkedin.com/in/tim,\n"  # 17 duplicate of row 16
)


def _set_status(database_url: str, email: str, campaign: str, status: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE campaign_leads SET status = :s"
                " WHERE lead_id = (SELECT min(id) FROM leads WHERE email = :e"
                "   AND workspace_id = (SELECT workspace_id FROM campaigns WHERE id = campaign_id))"
                " AND campaign_id IN (SELECT id FROM campaigns WHERE name = :c)"
            ),
            {"s": status, "e": email, "c": campaign},
        )
    engine.dispose()


def _ranks(database_url: str, workspace: str) -> dict[int, int]:
    """Lead id → its rank in the workspace: ids differ between workspaces, ranks must not."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        ids = conn.execute(
            text(
                "SELECT l.id FROM leads l JOIN workspaces w ON w.id = l.workspace_id"
                " WHERE w.name = :w ORDER BY l.id"
            ),
            {"w": workspace},
        ).scalars()
        ranks = {lead_id: rank for rank, lead_id in enumerate(ids, 1)}
    engine.dispose()
    return ranks


def _normalized_report(report: dict[str, Any], ranks: dict[int, int]) -> list[dict[str, Any]]:
    rows = []
    for row in report["rows"]:
        row = dict(row)
        if row.get("lead_id") is not None:
            row["lead_id"] = ranks[int(row["lead_id"])]
        detail = dict(row.get("detail") or {})
        for key in ("possible_duplicate_of", "email_lead_id", "linkedin_lead_id"):
            if key in detail:
                detail[key] = ranks[int(detail[key])]
        row["detail"] = detail
        row["message"] = re.sub(
            r"lead (\d+)", lambda m: f"lead #{ranks[int(m.group(1))]}", row["message"]
        )
        rows.append(row)
    return rows


def _content(database_url: str, workspace: str) -> dict[str, list[Any]]:
    """The workspace's leads, memberships and recorded changes, ids left out."""
    engine = create_engine(database_url)
    where = "workspace_id = (SELECT id FROM workspaces WHERE name = :w)"
    with engine.connect() as conn:
        leads = conn.execute(
            text(
                "SELECT email, linkedin_key, name_key, first_name, last_name, job_title,"
                f" company_domain, custom_fields, tags FROM leads WHERE {where} ORDER BY id"
            ),
            {"w": workspace},
        ).all()
        memberships = conn.execute(
            text(
                "SELECT l.email, l.linkedin_key, c.name, cl.status FROM campaign_leads cl"
                " JOIN leads l ON l.id = cl.lead_id JOIN campaigns c ON c.id = cl.campaign_id"
                f" WHERE l.{where} ORDER BY cl.id"
            ),
            {"w": workspace},
        ).all()
        changes = conn.execute(
            text(
                "SELECT l.email, ch.field, ch.old_value, ch.new_value FROM lead_changes ch"
                f" JOIN leads l ON l.id = ch.lead_id WHERE l.{where} ORDER BY ch.id"
            ),
            {"w": workspace},
        ).all()
    engine.dispose()
    return {
        "leads": [tuple(r) for r in leads],
        "memberships": [tuple(r) for r in memberships],
        "changes": [tuple(r) for r in changes],
    }


def _import_in_new_workspace(cli, write_csv, database_url, monkeypatch, name: str, size: int):
    monkeypatch.setenv("LEADPORT_IMPORT_BATCH_SIZE", str(size))
    assert cli("workspace", "create", name).exit_code == 0
    for campaign in ("C", "Other"):
        assert cli("campaign", "create", campaign, "--workspace", name).exit_code == 0
    seeded = cli("import", write_csv(EXISTING, f"existing-{name}.csv"), "--workspace", name)
    assert seeded.exit_code == 0, seeded.stderr
    sam = write_csv(HEADER + "Sam,Two,e2@x.com,,,,\n", f"sam-{name}.csv")
    assert cli("import", sam, "--workspace", name, "--campaign", "Other").exit_code == 0
    _set_status(database_url, "e2@x.com", "Other", "inProgress")
    assert cli("dnc", "add", "blocked.com", "--workspace", name).exit_code == 0
    result = cli(
        "import",
        write_csv(IMPORT, f"import-{name}.csv"),
        "--workspace",
        name,
        "--campaign",
        "C",
        "--policy",
        "active",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    report = result.json()
    return _normalized_report(report, _ranks(database_url, name)), _content(database_url, name)


@pytest.mark.parametrize(
    ("size", "keys_in_memory"), [(1, 50_000), (2, 1), (3, 50_000), (5, 1), (7, 50_000)]
)
def test_batch_boundaries_change_nothing(
    cli, write_csv, database_url, monkeypatch, size, keys_in_memory
):
    whole_report, whole_content = _import_in_new_workspace(
        cli, write_csv, database_url, monkeypatch, "whole", 1_000
    )
    codes = [(r["code"], r["campaign_code"]) for r in whole_report]
    assert codes == [
        ("added", "imported"),
        ("modified", "imported"),
        ("duplicate_in_file", None),
        ("modified", "in_campaign"),
        ("added", "imported"),
        ("modified", "active_elsewhere"),
        ("added", "do_not_contact"),
        ("added", "imported"),
        ("duplicate_in_file", None),
        ("invalid_email", None),
        ("identity_conflict", None),
        ("duplicate_in_file", None),
        ("added", "imported"),
        ("added", "imported"),
        ("added", "imported"),
        ("duplicate_in_file", None),
    ], codes
    ann = whole_report[0]["lead_id"]
    assert whole_report[4]["detail"]["possible_duplicate_of"] == ann
    assert whole_report[12]["detail"]["possible_duplicate_of"] == ann
    assert whole_report[13]["detail"]["possible_duplicate_of"] == 3  # "Old Timer", seeded

    monkeypatch.setattr(seen_keys, "IN_MEMORY_KEYS", keys_in_memory)
    report, content = _import_in_new_workspace(
        cli, write_csv, database_url, monkeypatch, f"size{size}", size
    )
    assert report == whole_report
    assert content == whole_content


# --- any file: batches of one row against one batch -------------------------------------------

EMAILS = ["a@x.com", " A@X.COM", "b@y.org", "bad@", "", "c@z.io", "seed@x.com", "SEED@x.com"]
LINKS = ["", "linkedin.com/in/ann", "https://fr.linkedin.com/in/ANN/", "linkedin.com/in/seed", "x"]
NAMES = ["", "Ann", "Bob"]
row_strategy = st.tuples(
    st.sampled_from(EMAILS), st.sampled_from(LINKS), st.sampled_from(NAMES), st.sampled_from(NAMES)
)


def _run_file(rows: list[tuple[str, ...]], size: int, seeded: bool, campaign: bool) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        app = build(
            Settings(
                database_url=f"sqlite:///{tmp}/db.sqlite",
                data_dir=Path(tmp),
                secret_key="k",
                import_batch_size=size,
            )
        )
        try:
            with write_transaction(app.engine) as conn:
                ws = directory.find_workspace(conn, None)
                directory.create_campaign(conn, ws.id, "C")
            header = "Email,LinkedIn,First Name,Last Name,Website"
            if seeded:
                seed = Path(tmp) / "seed.csv"
                seed.write_text(f"{header}\nseed@x.com,linkedin.com/in/seed,Ann,Lee,x.com\n")
                run_import(
                    app.engine,
                    app.settings,
                    ImportRequest(ws.id, None, ImportOptions(campaign="C"), path=seed),
                )
            path = Path(tmp) / "leads.csv"
            lines = [header] + [",".join(json.dumps(c) for c in (*r, "x.com")) for r in rows]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            result = run_import(
                app.engine,
                app.settings,
                ImportRequest(
                    ws.id, None, ImportOptions(campaign="C" if campaign else None), path=path
                ),
            )
            with read_transaction(app.engine) as conn:
                outcomes = [o.to_json() for o, _ in iter_outcomes(conn, result.import_id)]
                leads = conn.execute(
                    text("SELECT id, email, linkedin_key, name_key FROM leads ORDER BY id")
                ).all()
                members = conn.execute(
                    text("SELECT lead_id, campaign_id FROM campaign_leads ORDER BY lead_id")
                ).all()
            return result.summary, outcomes, [tuple(r) for r in leads], [tuple(r) for r in members]
        finally:
            app.engine.dispose()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row_strategy, min_size=1, max_size=25),
    seeded=st.booleans(),
    campaign=st.booleans(),
)
def test_one_row_batches_decide_as_one_batch(rows, seeded, campaign):
    assert _run_file(rows, 1, seeded, campaign) == _run_file(rows, 1_000, seeded, campaign)

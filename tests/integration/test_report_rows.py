"""The streamed report's rows are exactly what encoding each row's outcome gives.

`report_row_texts` puts the text of a row without detail together from cached parts; every kind
of row (with and without detail, warnings, lead id or campaign code) must read as `json.dumps`
of the row's outcome would write it, on both backends.
"""

from __future__ import annotations

import json

from leadport.db.engine import read_transaction
from leadport.services.report import report_json_rows, report_row_texts

FIRST = (
    "Email,First Name,Phone,LinkedIn,Note\n"
    "ann@x.com,Ann,,,\n"  # added, imported
    "bob@x.com,Bøb,12345,,é\n"  # added with a warning (phone_unparseable), non-ASCII
    " ANN@X.COM,Ann,,,\n"  # duplicate of row 2 (detail: first_row)
    "nope,No,,,\n"  # invalid email, no lead id
    ",Nobody,,,\n"  # missing identifier
    ",Li,,linkedin.com/in/li,\n"  # added by LinkedIn alone
    "cy@x.com,Cy,0612,,\n"  # added with a warning again: same parts as row 3
)
SECOND = (
    "Email,First Name,Title\n"
    "ann@x.com,Ann,CEO\n"  # modified (detail: changes), already in the campaign
    "new@x.com,New,\n"  # added, imported
    "cy@x.com,Cy,\n"  # modified with no change, already in the campaign
)


def _rows(app, import_id: int) -> tuple[list[str], list[dict]]:
    with read_transaction(app.engine) as conn:
        texts = list(report_row_texts(conn, import_id))
        dicts = list(report_json_rows(conn, import_id))
    return texts, dicts


def test_every_kind_of_row_reads_as_its_outcome_encoded(app, cli, write_csv):
    assert cli("campaign", "create", "C").exit_code == 0
    for text_ in (FIRST, SECOND):
        report = cli("import", write_csv(text_), "--campaign", "C", "--json").json()
        texts, dicts = _rows(app, int(report["import_id"]))
        assert texts == [json.dumps(d, ensure_ascii=False) for d in dicts]
        assert [json.loads(t) for t in texts] == report["rows"]
    kinds = {(d["code"], d["campaign_code"], bool(d["detail"]), bool(d["warnings"])) for d in dicts}
    assert ("modified", "in_campaign", True, False) in kinds
    assert ("added", "imported", False, False) in kinds


def test_rows_without_detail_share_parts_but_keep_their_own_numbers(app, cli, write_csv):
    report = cli("import", write_csv(FIRST, name="first.csv"), "--json").json()
    texts, dicts = _rows(app, int(report["import_id"]))
    assert texts == [json.dumps(d, ensure_ascii=False) for d in dicts]
    warned = [json.loads(t) for t in texts if "phone_unparseable" in t]
    assert [(r["row"], r["warnings"], r["detail"]) for r in warned] == [
        (3, ["phone_unparseable"], {}),
        (8, ["phone_unparseable"], {}),
    ]
    assert warned[0]["lead_id"] != warned[1]["lead_id"]
    assert json.loads(texts[3])["lead_id"] is None  # the invalid email: no lead

"""Counts add up, whatever the file: a property test over generated lead files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadport.bootstrap import build
from leadport.config import Settings
from leadport.db.engine import read_transaction
from leadport.domain.options import ImportOptions
from leadport.services import directory
from leadport.services.imports import ImportRequest, run_import
from leadport.services.report import iter_outcomes

EMAILS = ["a@x.com", " A@X.COM", "b@y.org", "bad@", "", "c@z.io", "mailto:b@y.org"]
LINKS = [
    "",
    "linkedin.com/in/ann",
    "https://fr.linkedin.com/in/ANN/",
    "https://www.linkedin.com/company/z",
    "x",
]
cell = st.sampled_from(["", "Ann", "Bob", "=1+1", "é", "a,b", 'q"uote'])
row = st.tuples(st.sampled_from(EMAILS), st.sampled_from(LINKS), cell, cell)


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, max_size=30),
    campaign=st.booleans(),
    mode=st.sampled_from(["create_and_update", "create_only", "update_only"]),
)
def test_every_row_gets_exactly_one_outcome_and_the_counts_add_up(rows, campaign, mode):
    with tempfile.TemporaryDirectory() as tmp:
        app = build(
            Settings(database_url=f"sqlite:///{tmp}/db.sqlite", data_dir=Path(tmp), secret_key="k")
        )
        try:
            path = Path(tmp) / "leads.csv"
            lines = ["Email,LinkedIn,First Name,Notes"] + [
                ",".join(_quote(c) for c in r) for r in rows
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            with read_transaction(app.engine) as conn:
                ws = directory.find_workspace(conn, None)
            if campaign:
                from leadport.db.engine import write_transaction

                with write_transaction(app.engine) as conn:
                    directory.create_campaign(conn, ws.id, "C")
            options = ImportOptions(
                campaign="C" if campaign else None, mode=mode, file_name="leads.csv"
            )
            result = run_import(
                app.engine, app.settings, ImportRequest(ws.id, None, options, path=path)
            )
            s = result.summary
            non_blank = [r for r in rows if any(c.strip() for c in r)]
            assert s["rows_read"] == len(non_blank)
            assert sum(s["account"].values()) == s["rows_read"]
            account_codes = {k: v for k, v in s["codes"].items() if k not in _CAMPAIGN_CODES}
            assert sum(account_codes.values()) == s["rows_read"]
            with read_transaction(app.engine) as conn:
                numbers = [o.row for o, _ in iter_outcomes(conn, result.import_id)]
            assert len(numbers) == len(set(numbers)) == s["rows_read"]
            if s["campaign"] is not None:
                accepted = s["account"]["added"] + s["account"]["modified"]
                assert (
                    s["campaign"]["imported"]
                    + s["campaign"]["excluded_duplicates"]
                    + s["campaign"]["active_elsewhere"]
                    + s["campaign"]["failed"]
                    == accepted
                )
        finally:
            app.engine.dispose()


_CAMPAIGN_CODES = {
    "imported",
    "do_not_contact",
    "in_campaign",
    "active_elsewhere",
    "in_other_campaign",
    "missing_field",
    "invalid_lead",
}

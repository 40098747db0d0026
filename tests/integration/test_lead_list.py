"""`services/lead_list.py`: a page of leads costs the same few queries however many leads and
memberships it holds, and shows each lead as `lead show` does."""

from __future__ import annotations

from sqlalchemy import event

from leadport.cli.common import resolve
from leadport.db.engine import read_transaction
from leadport.services.lead_list import list_leads
from leadport.services.leads import find_campaign, show_lead


def test_a_page_costs_the_same_queries_for_5_leads_as_for_60(app, cli, write_csv):
    for name in ("Q4", "Q5"):
        assert cli("campaign", "create", name).exit_code == 0
    path = write_csv("Email\n" + "".join(f"lead{i}@x.com\n" for i in range(60)))
    assert cli("import", path, "--campaign", "Q4").exit_code == 0
    assert cli("import", path, "--campaign", "Q5", "--policy", "campaign").exit_code == 0
    ws, member = resolve(None)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(app.engine, "before_cursor_execute", count)
    try:
        small = list_leads(app.engine, ws, member, limit=5)
        small_cost = len(statements)
        statements.clear()
        big = list_leads(app.engine, ws, member, limit=60)
        big_cost = len(statements)
    finally:
        event.remove(app.engine, "before_cursor_execute", count)

    assert small_cost == big_cost <= 3
    assert len(small.leads) == 5
    assert small.next_after == small.leads[-1].id
    assert len(big.leads) == 60
    assert big.next_after is None
    assert all([c.campaign for c in lead.campaigns] == ["Q4", "Q5"] for lead in big.leads)
    assert big.leads[7] == show_lead(app.engine, ws, member, "lead7@x.com")


def test_a_page_filters_by_campaign_name_or_id_and_by_email_as_typed(app, cli, write_csv):
    assert cli("campaign", "create", "Q4").exit_code == 0
    assert cli("import", write_csv("Email\na@x.com\nb@x.com\n"), "--campaign", "Q4").exit_code == 0
    assert cli("import", write_csv("Email\nc@x.com\n", "c.csv")).exit_code == 0
    ws, member = resolve(None)
    with read_transaction(app.engine) as conn:
        q4 = find_campaign(conn, ws, "Q4").id

    def emails(**filters: object) -> list[str | None]:
        page = list_leads(app.engine, ws, member, **filters)
        return [lead.fields["email"] for lead in page.leads]

    assert emails(campaign="Q4") == emails(campaign=q4) == ["a@x.com", "b@x.com"]
    assert emails(email=" B@X.com") == ["b@x.com"]
    assert emails(email="c@x.com", campaign="Q4") == []
    assert emails() == ["a@x.com", "b@x.com", "c@x.com"]

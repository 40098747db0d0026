"""Activity, statistics and exports through the live API: events recorded all or none, the
statistics of the CLI, downloads that are formula-safe and re-import as the same leads; members
may do all of it; another workspace's campaign is not found; no key, no answer."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from live_api import SERVER_SETTINGS, LiveServer, Tenant, wait_for
from openpyxl import load_workbook
from sqlalchemy import func, select

from leadport.db.engine import read_transaction
from leadport.db.schema import activities, campaign_leads

TYPES = "sent, opened, clicked, replied, bounced, meeting_booked, unsubscribed"
DANGEROUS = ("=", "+", "-", "@")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEADS = [
    {"email": "ann@acme.com", "first_name": "Ann", "last_name": "Lee", "Plan": "gold"},
    {"email": "bob@acme.com", "first_name": "Bob", "company_name": "+Acme", "Plan": "=1+2"},
    {"email": "cy@acme.com", "first_name": "@cy", "job_title": "-VP", "phone": "+33612345678"},
    {"email": "dee@acme.com", "first_name": "Dee", "last_name": '=HYPERLINK("x")'},
    {"email": "eve@acme.com", "first_name": "Eve", "Note": "line one\nline two"},
]


@dataclass
class Campaign:
    id: str
    name: str


def batch(client: httpx.Client, rows: list[dict[str, str]], **options: Any) -> dict[str, Any]:
    response = client.post("/api/v1/imports/batch", json={**options, "rows": rows})
    assert response.status_code == 201, response.text
    return response.json()


def new_campaign(client: httpx.Client, name: str) -> Campaign:
    response = client.post("/api/v1/campaigns", json={"name": name})
    assert response.status_code == 201, response.text
    return Campaign(response.json()["id"], name)


@pytest.fixture
def q4(tenant: Tenant) -> Campaign:
    """Campaign Q4 with the five LEADS (tagged), and one more lead outside it."""
    client = tenant.client()
    campaign = new_campaign(client, "Q4")
    batch(client, LEADS, campaign="Q4", tags=["fair", "q4"])
    batch(client, [{"email": "out@acme.com", "first_name": "Otto"}])
    return campaign


def record(client: httpx.Client, events: list[dict[str, Any]]) -> httpx.Response:
    return client.post("/api/v1/activities", json=events)


def stats(client: httpx.Client, campaign: Campaign) -> dict[str, Any]:
    response = client.get(f"/api/v1/campaigns/{campaign.id}/stats")
    assert response.status_code == 200, response.text
    return response.json()


def activity_count(server: LiveServer, campaign: Campaign) -> int:
    with read_transaction(server.app.engine) as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(activities)
                .join(campaign_leads, campaign_leads.c.id == activities.c.campaign_lead_id)
                .where(campaign_leads.c.campaign_id == int(campaign.id))
            ).scalar_one()
        )


def cli(server: LiveServer, *args: str) -> str:
    """`leadport ARGS…` as a separate process on the live server's database."""
    env = {
        **os.environ,
        "LEADPORT_DATABASE_URL": server.app.engine.url.render_as_string(hide_password=False),
        "LEADPORT_DATA_DIR": str(server.app.settings.data_dir),
        "LEADPORT_SECRET_KEY": SERVER_SETTINGS["secret_key"],
    }
    proc = subprocess.run(
        [sys.executable, "-m", "leadport.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def event(
    email: str, kind: str, at: str | None = "2026-05-01T09:30:00Z", **more: Any
) -> dict[str, Any]:
    return {"email": email, "campaign": "Q4", "type": kind, "at": at, **more}


def figure(count: int, leads: int = 5) -> dict[str, Any]:
    return {"count": count, "rate": count / leads}


def test_recorded_activity_makes_the_statistics_exactly_and_as_the_cli_gives_them(
    live_server: LiveServer, tenant: Tenant, q4: Campaign
) -> None:
    client = tenant.client(role="member")  # members record and read statistics too
    events = [
        event(" Ann@ACME.com ", "sent"),
        event("ann@acme.com", "opened", "2026-05-01T10:00:00+02:00"),
        event("ann@acme.com", "replied", "2026-05-02"),
        event("ann@acme.com", "sent"),  # the same event again: kept once
        event("bob@acme.com", "SENT"),
        event("bob@acme.com", "opened", "2026-05-01 11:30"),
        event("bob@acme.com", "meeting_booked", None),
        event("cy@acme.com", "sent"),
        event("cy@acme.com", "bounced"),
        event("dee@acme.com", "sent"),
        event("dee@acme.com", "unsubscribed"),
    ]

    response = record(client, events)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "campaign": "Q4",
        "events": 11,
        "recorded": 10,
        "duplicates": 1,
        "by_type": {
            "sent": 4,
            "opened": 2,
            "replied": 1,
            "meeting_booked": 1,
            "bounced": 1,
            "unsubscribed": 1,
        },
        "leads_bounced": 1,
        "unsubscribed": 1,
    }
    ws = tenant.workspace.name
    status = ["lead", "status", "bob@acme.com", "--campaign", "Q4", "--set", "interested"]
    cli(live_server, *status, "--workspace", ws)
    body = stats(client, q4)
    assert body == {
        "campaign": "Q4",
        "leads": 5,
        "contacted": figure(4),
        "opened": figure(2),
        "clicked": figure(0),
        "replied": figure(1),
        "interested": figure(1),
        "bounced": figure(1),
        "meetings_booked": figure(1),
        "unsubscribed": figure(1),
    }
    as_cli = cli(live_server, "stats", "Q4", "--workspace", ws, "--json")
    assert json.loads(as_cli) == body
    again = record(client, events)  # a retried call counts nothing twice
    assert (again.json()["recorded"], again.json()["duplicates"]) == (1, 10)
    assert stats(client, q4) == body


def test_events_may_name_the_lead_by_id_and_other_campaigns_in_one_list(
    tenant: Tenant, q4: Campaign
) -> None:
    client = tenant.client()
    q1 = new_campaign(client, "Q1")
    batch(client, [{"email": "ann@acme.com"}], campaign="Q1", policy="campaign")
    lead_id = cli_lead_id(tenant, "ann@acme.com")

    response = record(
        client,
        [
            {"lead_id": lead_id, "campaign": "Q4", "type": "replied"},
            {"email": "ann@acme.com", "lead_id": lead_id, "campaign": "Q1", "type": "sent"},
        ],
    )

    assert response.status_code == 200, response.text
    assert (response.json()["campaign"], response.json()["recorded"]) == (None, 2)
    assert stats(client, q4)["replied"] == figure(1)
    assert stats(client, q1)["contacted"] == figure(1, leads=1)
    assert stats(client, q1)["replied"] == figure(0, leads=1)


def cli_lead_id(tenant: Tenant, email: str) -> str:
    out = cli(tenant.server, "lead", "show", email, "--workspace", tenant.workspace.name, "--json")
    return str(json.loads(out)["id"])


@pytest.mark.parametrize(
    ("events", "status", "message", "detail"),
    [
        (
            [event("ann@acme.com", "sent"), event("bob@acme.com", "opend"), event("x", "nope")],
            422,
            f"Event 2, type: 'opend' is not an activity type (use one of {TYPES}); "
            "nothing was recorded.",
            {"event": 2, "field": "type"},
        ),
        (
            [event("ann@acme.com", "sent"), event("bob@acme.com", "sent", "yesterday")],
            422,
            "Event 2, at: 'yesterday' is not an ISO-8601 time such as 2026-05-01T09:30:00Z; "
            "nothing was recorded.",
            {"event": 2, "field": "at"},
        ),
        (
            [event("ann@acme.com", "sent", "9999-12-31T23:59:59-05:00")],
            422,
            "Event 1, at: '9999-12-31T23:59:59-05:00' is not an ISO-8601 time such as "
            "2026-05-01T09:30:00Z; nothing was recorded.",
            {"event": 1, "field": "at"},
        ),
        (
            [event("ann@acme.com", "sent"), {**event("bob@acme.com", "sent"), "campaign": "Q9"}],
            404,
            "Event 2, campaign: there is no campaign named 'Q9' in this workspace; "
            "nothing was recorded.",
            {"event": 2, "field": "campaign"},
        ),
        (
            [event("ann@acme.com", "sent"), event("nobody@acme.com", "sent")],
            404,
            "Event 2, email: no lead has the email nobody@acme.com in this workspace; "
            "nothing was recorded.",
            {"event": 2, "field": "email"},
        ),
        (
            [event("ann@acme.com", "sent"), event("out@acme.com", "sent")],
            409,
            "Event 2, email: the lead out@acme.com is not in the campaign 'Q4'; "
            "nothing was recorded.",
            {"event": 2, "field": "email"},
        ),
        (
            [event("ann@acme.com", "sent"), {"campaign": "Q4", "type": "sent"}],
            422,
            "Event 2, email: the event names no lead (give its email or lead_id); "
            "nothing was recorded.",
            {"event": 2, "field": "email"},
        ),
        (
            [event("ann@acme.com", "sent"), event("bob@acme.com", "sent"), {"email": "x"}],
            422,
            "Event 3, campaign: this field is required; nothing was recorded.",
            {"event": 3, "field": "campaign"},
        ),
        (
            [event("ann@acme.com", "sent", when="now")],
            422,
            "Event 1, when: not a field of an event (they are email, lead_id, campaign, type, "
            "at); nothing was recorded.",
            {"event": 1, "field": "when"},
        ),
        (
            [event("ann@acme.com", "sent", lead_id=12)],
            422,
            "Event 1, lead_id: input should be a valid string; nothing was recorded.",
            {"event": 1, "field": "lead_id"},
        ),
        (
            [event("ann@acme.com", "sent"), ["ann@acme.com", "sent"]],
            422,
            'Event 2: an event is a JSON object such as {"email": "ann@acme.com", "campaign": '
            '"Q4 outreach", "type": "replied", "at": "2026-05-01T09:30:00Z"}; nothing was '
            "recorded.",
            {"event": 2, "field": None},
        ),
    ],
    ids=[
        "type",
        "time",
        "time-past-9999-in-utc",
        "campaign",
        "lead",
        "not-in-campaign",
        "no-lead",
        "missing",
        "unknown-field",
        "id-as-number",
        "not-an-object",
    ],
)
def test_a_bad_event_refuses_the_whole_list_naming_it(
    live_server: LiveServer,
    tenant: Tenant,
    q4: Campaign,
    events: list[Any],
    status: int,
    message: str,
    detail: dict[str, Any],
) -> None:
    response = record(tenant.client(), events)

    assert response.status_code == status, response.text
    assert response.json()["message"] == message
    assert response.json()["detail"] == detail
    assert activity_count(live_server, q4) == 0


def test_a_body_that_is_not_a_list_of_events_or_too_long_is_refused(
    live_server: LiveServer, tenant: Tenant, q4: Campaign
) -> None:
    client = tenant.client()
    example = (
        '[{"email": "ann@acme.com", "campaign": "Q4 outreach", "type": "replied", '
        '"at": "2026-05-01T09:30:00Z"}]'
    )
    wrapped = record(client, {"events": [event("ann@acme.com", "sent")]})  # type: ignore[arg-type]
    broken = client.post(
        "/api/v1/activities", content=b"[{", headers={"Content-Type": "application/json"}
    )
    limit = live_server.app.settings.max_activity_events
    too_many = record(client, [event("ann@acme.com", "sent")] * (limit + 1))
    empty = record(client, [])

    assert (wrapped.status_code, wrapped.json()["message"]) == (
        422,
        f"The body must be a JSON list of events such as {example}.",
    )
    assert broken.status_code == 422
    assert broken.json()["message"].startswith("The body is not JSON (")
    assert too_many.status_code == 413
    assert too_many.json() == {
        "code": "limit_exceeded",
        "message": f"A list holds at most {limit:,} events (this one has {limit + 1:,}): split "
        "it, send a file to POST /api/v1/activities/import, or raise "
        "LEADPORT_MAX_ACTIVITY_EVENTS.",
        "detail": {"limit_events": limit},
    }
    assert empty.status_code == 200
    assert empty.json()["events"] == 0
    assert activity_count(live_server, q4) == 0


def test_a_body_too_long_for_the_limit_is_refused_before_it_is_read(
    live_server: LiveServer, tenant: Tenant
) -> None:
    client = tenant.client()
    limit = live_server.app.settings.max_activity_events
    most = limit * 1024
    huge = b"[" + b" " * most + b"]"

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        for i in range(0, len(huge), 65536):
            yield huge[i : i + 65536]

    declared = client.post("/api/v1/activities", content=huge)
    streamed = client.post("/api/v1/activities", content=chunks())

    assert "content-length" not in streamed.request.headers
    for response, says in (
        (declared, f"this body has {len(huge):,}"),
        (streamed, "this body has more"),
    ):
        assert response.status_code == 413
        assert response.json() == {
            "code": "limit_exceeded",
            "message": f"A list holds at most {limit:,} events and {most:,} bytes ({says}): split "
            "it, send a file to POST /api/v1/activities/import, or raise "
            "LEADPORT_MAX_ACTIVITY_EVENTS.",
            "detail": {"limit_events": limit, "limit_bytes": most},
        }


def test_an_activity_file_is_recorded_whole_or_refused_naming_row_and_column(
    live_server: LiveServer, tenant: Tenant, q4: Campaign
) -> None:
    client = tenant.client(role="member")
    good = b"Email,Event Type,Timestamp\nann@acme.com,sent,2026-05-01\nbob@acme.com,replied,\n"
    bad = good + b"cy@acme.com,opend,2026-05-01\n"

    def send(content: bytes, **fields: str) -> httpx.Response:
        files = {"file": ("events.csv", content, "text/csv")}
        return client.post("/api/v1/activities/import", files=files, data=fields)

    refused = send(bad, campaign="Q4")
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "unreadable_file",
        "message": f"events.csv row 4, column type: 'opend' is not an activity type (use one of "
        f"{TYPES}); nothing was recorded.",
        "detail": {"file": "events.csv", "row": 4, "column": "type"},
    }
    assert activity_count(live_server, q4) == 0
    assert send(good).json()["message"] == (
        "The form field 'campaign' is required: the name of the campaign the events are in."
    )
    assert send(good, campaign="Q9").status_code == 404
    assert send(good, campaign="Q4", sheet="x").status_code == 422

    done = send(good, campaign="Q4")

    assert done.status_code == 200, done.text
    assert done.json() == {
        "campaign": "Q4",
        "events": 2,
        "recorded": 2,
        "duplicates": 0,
        "by_type": {"sent": 1, "replied": 1},
        "leads_bounced": 0,
        "unsubscribed": 0,
    }
    assert stats(client, q4)["replied"] == figure(1)
    assert list((live_server.app.settings.data_dir / "uploads").glob("*")) == []


def test_the_statistics_csv_has_a_line_per_figure(tenant: Tenant, q4: Campaign) -> None:
    client = tenant.client(role="member")
    record(client, [event("ann@acme.com", "sent"), event("bob@acme.com", "sent")])

    response = client.get(f"/api/v1/campaigns/{q4.id}/stats.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="stats-{q4.id}.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[:3] == [
        ["campaign", "metric", "count", "rate"],
        ["Q4", "leads", "5", ""],
        ["Q4", "contacted", "2", "0.4000"],
    ]
    assert [r[1] for r in rows[3:]] == [
        "opened",
        "clicked",
        "replied",
        "interested",
        "bounced",
        "meetings_booked",
        "unsubscribed",
    ]


def download(client: httpx.Client, fmt: str, campaign: Campaign | None = None) -> httpx.Response:
    params = {"campaign": campaign.id} if campaign else None
    response = client.get(f"/api/v1/exports/leads.{fmt}", params=params)
    assert response.status_code == 200, response.text
    return response


def table(response: httpx.Response) -> list[dict[str, Any]]:
    """The downloaded file's rows as dicts, CSV or XLSX; every text cell checked formula-safe."""
    if response.headers["content-type"] == XLSX:
        sheet = load_workbook(io.BytesIO(response.content), read_only=True)["Leads"]
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        assert response.content.startswith("\ufeff".encode())
        values = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    for row in values:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(DANGEROUS)), cell
    header, *rows = values
    return [dict(zip(header, ("" if c is None else c for c in row), strict=True)) for row in rows]


def plain(value: Any) -> str:
    text = str(value)
    return text[1:] if text[:1] == "'" and text[1:2] in DANGEROUS else text


def lead_part(rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Each lead's own values (fields, custom fields, tags) by email, neutralizing quotes off."""
    return {
        str(r["email"]): {k: plain(v) for k, v in r.items() if not k.startswith("leadport_")}
        for r in rows
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_download_formula_safe_with_every_lead(
    tenant: Tenant, q4: Campaign, fmt: str
) -> None:
    client = tenant.client(role="member")  # members export
    record(client, [event("ann@acme.com", "sent"), event("ann@acme.com", "replied")])

    whole = download(client, fmt)
    one = download(client, fmt, q4)

    media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    assert whole.headers["content-type"] == one.headers["content-type"] == media
    assert whole.headers["content-disposition"] == f'attachment; filename="leads.{fmt}"'
    assert one.headers["content-disposition"] == (
        f'attachment; filename="leads-campaign-{q4.id}.{fmt}"'
    )
    assert int(whole.headers["content-length"]) == len(whole.content)
    everyone, campaign = table(whole), table(one)
    assert [r["email"] for r in everyone] == [lead["email"] for lead in LEADS] + ["out@acme.com"]
    assert [r["email"] for r in campaign] == [lead["email"] for lead in LEADS]
    ann, bob, cy, dee, eve = (lead_part(campaign)[lead["email"]] for lead in LEADS)
    assert (ann["first_name"], ann["Plan"], ann["tags"]) == ("Ann", "gold", "fair, q4")
    assert (bob["company_name"], bob["Plan"]) == ("+Acme", "=1+2")
    assert (cy["first_name"], cy["job_title"], cy["phone"]) == ("@cy", "-VP", "+33612345678")
    assert dee["last_name"] == '=HYPERLINK("x")'
    assert eve["Note"] == "line one\nline two"
    counts = [
        (r["leadport_status"], int(r["leadport_sent"]), int(r["leadport_replied"]))
        for r in campaign
    ]
    assert counts[:2] == [("scheduled", 1, 1), ("scheduled", 0, 0)]
    assert everyone[0]["leadport_campaigns"] == "Q4 (scheduled)"
    assert list((tenant.server.app.settings.data_dir / "exports").iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_uploaded_into_another_workspace_gives_the_same_leads(
    live_server: LiveServer, tenant: Tenant, q4: Campaign, fmt: str
) -> None:
    exported = download(tenant.client(), fmt)
    other = live_server.tenant().client(role="member")

    upload = other.post(
        "/api/v1/imports",
        files={"file": (f"leads.{fmt}", exported.content, exported.headers["content-type"])},
    )
    assert upload.status_code == 202, upload.text

    def finished() -> dict[str, Any] | None:
        body = other.get(f"/api/v1/imports/{upload.json()['import_id']}").json()
        return body if body["state"] in ("completed", "failed") else None

    done = wait_for(finished, timeout=60)
    assert (done["state"], done["account"]) == (
        "completed",
        {"added": 6, "modified": 0, "rejected": 0},
    )
    assert lead_part(table(download(other, fmt))) == lead_part(table(exported))


def test_another_workspaces_campaign_is_not_found_and_a_key_is_needed(
    live_server: LiveServer, tenant: Tenant, q4: Campaign
) -> None:
    stranger = live_server.tenant().client()
    anonymous = live_server.client()
    reads = [
        f"/api/v1/campaigns/{q4.id}/stats",
        f"/api/v1/campaigns/{q4.id}/stats.csv",
        f"/api/v1/exports/leads.csv?campaign={q4.id}",
        f"/api/v1/exports/leads.xlsx?campaign={q4.id}",
    ]
    for path in reads:
        response = stranger.get(path)
        assert (response.status_code, response.json()["message"]) == (
            404,
            f"No campaign with id {q4.id} in this workspace.",
        ), path
        assert anonymous.get(path).status_code == 401, path
    assert record(stranger, [event("ann@acme.com", "sent")]).status_code == 404
    assert record(anonymous, [event("ann@acme.com", "sent")]).status_code == 401
    files = {"file": ("events.csv", b"email,type\nann@acme.com,sent\n", "text/csv")}
    data = {"campaign": "Q4"}
    assert stranger.post("/api/v1/activities/import", files=files, data=data).status_code == 404
    assert anonymous.post("/api/v1/activities/import", files=files, data=data).status_code == 401
    assert activity_count(live_server, q4) == 0
    own = table(download(stranger, "csv"))
    assert own == []  # a workspace export holds the key's workspace only

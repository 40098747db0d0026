"""Leads and the import history through the live API: the JSON of `lead show`, `lead status`,
`lead delete` and `imports list`, pages that visit every lead once, the permanently-deleted list
against the next batch, roles through the key's member, 404 across workspaces."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from live_api import LiveServer, Tenant, cli_json, lead_rows

STATUSES = (
    "'inProgress', 'paused', 'reviewed', 'scheduled', 'done', 'interested', 'notInterested' "
    "or 'unsubscribed'"
)


def batch(client: httpx.Client, rows: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    response = client.post("/api/v1/imports/batch", json={**options, "rows": rows})
    assert response.status_code == (200 if options.get("dry_run") else 201), response.text
    return response.json()


def campaign(client: httpx.Client, name: str) -> str:
    created = client.post("/api/v1/campaigns", json={"name": name})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def lead_id(client: httpx.Client, email: str) -> str:
    [found] = client.get("/api/v1/leads", params={"email": email}).json()["leads"]
    return str(found["id"])


def every_page(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """Follow `next` from the first page to the last; the pages in order."""
    pages, after = [], None
    while True:
        query = {**params, **({"after": after} if after is not None else {})}
        response = client.get("/api/v1/leads", params=query)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        after = pages[-1]["next"]
        if after is None:
            return pages


def as_cli(tenant: Tenant, *args: str) -> Any:
    return cli_json(
        tenant.server, *args, "--workspace", tenant.workspace.name, "--as", tenant.admin_email
    )


@pytest.fixture
def q4(tenant: Tenant) -> dict[str, str]:
    """Campaign Q4 holding john@x.com (custom fields, a tag, a LinkedIn URL) and ann@x.com."""
    client = tenant.client()
    campaign_id = campaign(client, "Q4")
    rows = [
        {
            "Email": "john@x.com",
            "First Name": "John",
            "Last Name": "Doe",
            "Company": "Acme",
            "Job Title": "CEO",
            "LinkedIn": "linkedin.com/in/JohnDoe",
            "Plan": "gold",
            "Region": "EU",
        },
        {"Email": "ann@x.com", "First Name": "Ann"},
    ]
    report = batch(client, rows, campaign="Q4", tags=["vip"])
    return {
        "campaign_id": campaign_id,
        "import_id": report["import_id"],
        "john": lead_id(client, "john@x.com"),
        "ann": lead_id(client, "ann@x.com"),
    }


def john(q4: dict[str, str], status: str = "scheduled") -> dict[str, Any]:
    return {
        "id": q4["john"],
        "email": "john@x.com",
        "linkedin_url": "https://www.linkedin.com/in/johndoe",
        "first_name": "John",
        "last_name": "Doe",
        "company_name": "Acme",
        "company_domain": None,
        "job_title": "CEO",
        "phone": None,
        "custom_fields": {"Plan": "gold", "Region": "EU"},
        "tags": ["vip"],
        "campaigns": [{"campaign": "Q4", "status": status, "import_id": q4["import_id"]}],
    }


# ------------------------------------------------------------------------------------ one lead


def test_a_lead_reads_as_lead_show_gives_it_through_the_cli(
    tenant: Tenant, q4: dict[str, str]
) -> None:
    shown = tenant.client().get(f"/api/v1/leads/{q4['john']}")

    assert shown.status_code == 200, shown.text
    assert shown.json() == john(q4)
    assert shown.json() == as_cli(tenant, "lead", "show", "john@x.com")


def test_an_unknown_lead_is_not_found(tenant: Tenant, q4: dict[str, str]) -> None:
    missing = tenant.client().get("/api/v1/leads/2147483647")

    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": "No lead with id 2147483647 in this workspace.",
        "detail": None,
    }
    assert tenant.client().get("/api/v1/leads/0").status_code == 422


# ------------------------------------------------------------------------------ pages of leads


def test_a_page_filtered_by_email_or_campaign_holds_those_leads_as_lead_show_gives_them(
    tenant: Tenant, q4: dict[str, str]
) -> None:
    client = tenant.client()
    batch(client, [{"email": "solo@x.com"}])  # in no campaign

    by_email = client.get("/api/v1/leads", params={"email": " JOHN@x.com"})
    by_campaign = client.get("/api/v1/leads", params={"campaign": q4["campaign_id"]})
    everyone = client.get("/api/v1/leads")
    nobody = client.get("/api/v1/leads", params={"email": "nobody@x.com"})

    assert by_email.status_code == 200, by_email.text
    assert by_email.json() == {"leads": [john(q4)], "next": None}
    ann = client.get(f"/api/v1/leads/{q4['ann']}").json()
    assert by_campaign.json() == {"leads": [john(q4), ann], "next": None}
    solo = client.get(f"/api/v1/leads/{lead_id(client, 'solo@x.com')}").json()
    assert solo["campaigns"] == []
    assert everyone.json() == {"leads": [john(q4), ann, solo], "next": None}
    assert nobody.json() == {"leads": [], "next": None}


def test_pages_visit_every_lead_once_in_id_order(tenant: Tenant) -> None:
    client = tenant.client()
    campaign(client, "Big")
    batch(client, lead_rows(30, start=0), campaign="Big")
    batch(client, lead_rows(13, start=30))

    pages = every_page(client, limit=7)

    ids = [int(lead["id"]) for page in pages for lead in page["leads"]]
    assert len(ids) == 43
    assert ids == sorted(set(ids))
    assert [len(page["leads"]) for page in pages] == [7] * 6 + [1]
    assert [page["next"] for page in pages[:-1]] == [page["leads"][-1]["id"] for page in pages[:-1]]
    emails = {lead["email"] for page in pages for lead in page["leads"]}
    assert emails == {row["email"] for row in lead_rows(43)}
    in_big = [lead for page in pages for lead in page["leads"] if lead["campaigns"]]
    assert len(in_big) == 30
    assert all(lead["campaigns"][0]["campaign"] == "Big" for lead in in_big)
    assert [len(page["leads"]) for page in every_page(client, limit=10)] == [10, 10, 10, 10, 3]


def test_paging_while_leads_come_and_go_sees_each_lead_that_stays_once(tenant: Tenant) -> None:
    client = tenant.client()
    batch(client, lead_rows(10))
    first = client.get("/api/v1/leads", params={"limit": 4}).json()
    gone = lead_id(client, "lead7@example.com")
    assert client.delete(f"/api/v1/leads/{gone}").status_code == 200
    batch(client, lead_rows(3, start=10))

    rest = every_page(client, limit=4, after=first["next"])

    emails = [lead["email"] for page in [first, *rest] for lead in page["leads"]]
    assert emails == [row["email"] for row in lead_rows(13) if row["email"] != "lead7@example.com"]


def test_a_page_of_a_full_limit_says_there_may_be_more_and_the_next_is_empty(
    tenant: Tenant,
) -> None:
    client = tenant.client()
    batch(client, lead_rows(3))

    full = client.get("/api/v1/leads", params={"limit": 3}).json()

    assert full["next"] is None
    assert len(full["leads"]) == 3
    cut = client.get("/api/v1/leads", params={"limit": 2}).json()
    assert cut["next"] == cut["leads"][1]["id"]
    assert client.get("/api/v1/leads", params={"after": full["leads"][-1]["id"]}).json() == {
        "leads": [],
        "next": None,
    }


@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
def test_a_page_size_outside_1_to_1000_is_refused(tenant: Tenant, limit: str) -> None:
    refused = tenant.client().get("/api/v1/leads", params={"limit": limit})

    assert refused.status_code == 422
    assert refused.json()["code"] == "usage_error"
    assert refused.json()["message"].startswith("Invalid query.limit: ")


# ------------------------------------------------------------------------------------- status


def test_a_status_change_answers_as_lead_status_does_and_shows_on_the_lead(
    tenant: Tenant, q4: dict[str, str]
) -> None:
    client = tenant.client(role="member")  # lead work is every member's
    path = f"/api/v1/campaigns/{q4['campaign_id']}/leads/{q4['john']}"

    changed = client.patch(path, json={"status": "interested"})
    again = client.patch(path, json={"status": "interested"})

    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "lead_id": q4["john"],
        "lead": "john@x.com",
        "campaign": "Q4",
        "old_status": "scheduled",
        "status": "interested",
    }
    assert again.json() == {**changed.json(), "old_status": "interested"}
    assert client.get(f"/api/v1/leads/{q4['john']}").json() == john(q4, "interested")
    cli = as_cli(tenant, "lead", "status", "ann@x.com", "--campaign", "Q4", "--set", "done")
    assert set(cli) == set(changed.json())


@pytest.mark.parametrize("status", ["finished", "not interested", "", 3])
def test_an_unknown_status_is_refused_with_the_eight_statuses(
    tenant: Tenant, q4: dict[str, str], status: Any
) -> None:
    client = tenant.client()
    path = f"/api/v1/campaigns/{q4['campaign_id']}/leads/{q4['john']}"

    refused = client.patch(path, json={"status": status})

    assert refused.status_code == 422
    assert refused.json()["code"] == "usage_error"
    assert refused.json()["message"] == f"Invalid body.status: Input should be {STATUSES}."
    assert client.get(f"/api/v1/leads/{q4['john']}").json() == john(q4)


def test_a_lead_not_in_the_campaign_is_not_found(tenant: Tenant, q4: dict[str, str]) -> None:
    client = tenant.client()
    other = campaign(client, "Q5")

    missing = client.patch(f"/api/v1/campaigns/{other}/leads/{q4['john']}", json={"status": "done"})
    no_campaign = client.patch(
        f"/api/v1/campaigns/2147483647/leads/{q4['john']}", json={"status": "done"}
    )

    assert (missing.status_code, missing.json()["message"]) == (
        404,
        "john@x.com is not in campaign 'Q5'.",
    )
    assert (no_campaign.status_code, no_campaign.json()["message"]) == (
        404,
        "No campaign with id 2147483647 in this workspace.",
    )


# ----------------------------------------------------------------------------------- deletion


def test_a_deletion_answers_as_lead_delete_does_and_the_lead_is_gone(
    tenant: Tenant, q4: dict[str, str]
) -> None:
    client = tenant.client(role="member")

    deleted = client.delete(f"/api/v1/leads/{q4['john']}")

    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {
        "lead_id": q4["john"],
        "email": "john@x.com",
        "linkedin_url": "https://www.linkedin.com/in/johndoe",
        "permanent": False,
        "campaigns": ["Q4"],
        "memberships": 1,
        "activities": 0,
    }
    assert client.get(f"/api/v1/leads/{q4['john']}").status_code == 404
    assert client.delete(f"/api/v1/leads/{q4['john']}").status_code == 404
    cli = as_cli(tenant, "lead", "delete", "ann@x.com")
    assert cli == {
        "lead_id": q4["ann"],
        "email": "ann@x.com",
        "linkedin_url": None,
        "permanent": False,
        "campaigns": ["Q4"],
        "memberships": 1,
        "activities": 0,
    }
    again = batch(tenant.client(), [{"email": "john@x.com"}])  # not permanent: it comes back
    assert again["rows"][0]["code"] == "added"


def test_a_permanent_deletion_makes_the_next_batch_reject_the_email_until_an_admin_cleans(
    tenant: Tenant, q4: dict[str, str]
) -> None:
    member, admin = tenant.client(role="member"), tenant.client()

    deleted = member.delete(f"/api/v1/leads/{q4['john']}", params={"permanent": "true"})
    refused = batch(admin, [{"email": "JOHN@x.com", "first_name": "John"}], campaign="Q4")
    member_clean = member.post("/api/v1/deleted/clean")
    cleaned = admin.post("/api/v1/deleted/clean")
    taken = batch(admin, [{"email": "john@x.com"}], campaign="Q4")
    empty = admin.post("/api/v1/deleted/clean")

    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["permanent"] is True
    row = refused["rows"][0]
    assert (row["code"], row["message"]) == ("permanently_deleted", "Email was permanently deleted")
    assert refused["account"] == {"added": 0, "modified": 0, "rejected": 1}
    assert member_clean.status_code == 403
    assert member_clean.json() == {
        "code": "permission_denied",
        "message": (
            "Only an admin may clean the permanently-deleted list; "
            f"{tenant.member_email} is a member."
        ),
        "detail": None,
    }
    assert (cleaned.status_code, cleaned.json()) == (200, {"removed": 1})
    assert taken["rows"][0]["code"] == "added"
    assert empty.json() == {"removed": 0}


def test_a_lead_without_email_cannot_be_deleted_permanently(tenant: Tenant) -> None:
    client = tenant.client()
    report = batch(client, [{"linkedin_url": "linkedin.com/in/jane"}])
    jane = report["rows"][0]["lead_id"]

    refused = client.delete(f"/api/v1/leads/{jane}", params={"permanent": "true"})

    assert refused.status_code == 409
    assert refused.json()["message"] == (
        "https://www.linkedin.com/in/jane has no email, and the permanently-deleted list keeps "
        "emails only; delete it without the permanent option."
    )
    assert client.get(f"/api/v1/leads/{jane}").status_code == 200
    assert client.delete(f"/api/v1/leads/{jane}").json()["permanent"] is False


# ------------------------------------------------------------------------------------ history


def test_the_history_is_the_json_of_imports_list_newest_first(
    tenant: Tenant, q4: dict[str, str]
) -> None:
    client = tenant.client()
    campaign(client, "Q5")
    q5 = batch(client, [{"email": "ann@x.com"}, {"email": "bob@x.com"}], campaign="Q5")["import_id"]
    plain = batch(client, [{"email": "carl@x.com"}, {"email": "not-an-email"}])["import_id"]
    batch(client, [{"email": "dry@x.com"}], dry_run=True)  # never listed

    listed = client.get("/api/v1/imports")

    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body == as_cli(tenant, "imports", "list")
    for entry in body:
        created = datetime.fromisoformat(entry.pop("created_at"))
        assert created.utcoffset() == timedelta(0)
    common = {
        "file_name": None,
        "source": "api",
        "state": "completed",
        "member": tenant.admin_email,
    }
    assert body == [
        {
            **common,
            "import_id": plain,
            "campaign": None,
            "account": {"added": 1, "modified": 0, "rejected": 1},
            "campaign_counts": None,
        },
        {
            **common,
            "import_id": q5,
            "campaign": "Q5",
            "account": {"added": 1, "modified": 1, "rejected": 0},
            "campaign_counts": {  # ann is active in Q4 (the workspace's policy is `active`)
                "imported": 1,
                "excluded_duplicates": 0,
                "active_elsewhere": 1,
                "failed": 0,
            },
        },
        {
            **common,
            "import_id": q4["import_id"],
            "campaign": "Q4",
            "account": {"added": 2, "modified": 0, "rejected": 0},
            "campaign_counts": {
                "imported": 2,
                "excluded_duplicates": 0,
                "active_elsewhere": 0,
                "failed": 0,
            },
        },
    ]
    newest = client.get("/api/v1/imports", params={"limit": 1}).json()
    assert [e["import_id"] for e in newest] == [plain]


def test_the_history_of_a_campaign_hides_rolled_back_imports_unless_all(
    tenant: Tenant, q4: dict[str, str]
) -> None:
    client = tenant.client()
    second = batch(client, [{"email": "zoe@x.com"}], campaign="Q4")["import_id"]
    batch(client, [{"email": "yan@x.com"}])  # no campaign
    assert client.post(f"/api/v1/imports/{second}/rollback").status_code == 200

    shown = client.get("/api/v1/imports", params={"campaign": q4["campaign_id"]}).json()
    everything = client.get(
        "/api/v1/imports", params={"campaign": q4["campaign_id"], "all": "true"}
    ).json()

    assert [(e["import_id"], e["state"]) for e in shown] == [(q4["import_id"], "completed")]
    assert [(e["import_id"], e["state"]) for e in everything] == [
        (second, "rolled_back"),
        (q4["import_id"], "completed"),
    ]
    assert everything == as_cli(tenant, "imports", "list", "--campaign", "Q4", "--all")
    missing = client.get("/api/v1/imports", params={"campaign": "2147483647"})
    assert (missing.status_code, missing.json()["message"]) == (
        404,
        "No campaign with id 2147483647 in this workspace.",
    )


# ------------------------------------------------------------------------- workspaces and keys


def test_another_workspaces_leads_and_campaigns_are_not_found(
    live_server: LiveServer, tenant: Tenant, q4: dict[str, str]
) -> None:
    stranger = live_server.tenant().client()
    batch(stranger, [{"email": "theirs@x.com"}])
    lead, campaign_id = q4["john"], q4["campaign_id"]

    answers = [
        stranger.get(f"/api/v1/leads/{lead}"),
        stranger.delete(f"/api/v1/leads/{lead}"),
        stranger.delete(f"/api/v1/leads/{lead}", params={"permanent": "true"}),
        stranger.patch(f"/api/v1/campaigns/{campaign_id}/leads/{lead}", json={"status": "done"}),
        stranger.get("/api/v1/leads", params={"campaign": campaign_id}),
        stranger.get("/api/v1/imports", params={"campaign": campaign_id}),
    ]

    assert [a.status_code for a in answers] == [404] * 6
    assert answers[0].json()["message"] == f"No lead with id {lead} in this workspace."
    assert [x["email"] for x in stranger.get("/api/v1/leads").json()["leads"]] == ["theirs@x.com"]
    assert [e["campaign"] for e in stranger.get("/api/v1/imports").json()] == [None]
    assert tenant.client().get(f"/api/v1/leads/{lead}").json() == john(q4)


def test_every_lead_route_needs_a_key(live_server: LiveServer, q4: dict[str, str]) -> None:
    anonymous = live_server.client()
    lead, campaign_id = q4["john"], q4["campaign_id"]

    answers = [
        anonymous.get("/api/v1/imports"),
        anonymous.get("/api/v1/leads"),
        anonymous.get(f"/api/v1/leads/{lead}"),
        anonymous.delete(f"/api/v1/leads/{lead}"),
        anonymous.patch(f"/api/v1/campaigns/{campaign_id}/leads/{lead}", json={"status": "done"}),
        anonymous.post("/api/v1/deleted/clean"),
    ]

    assert [a.status_code for a in answers] == [401] * 6
    assert {a.json()["code"] for a in answers} == {"not_authenticated"}
    assert {a.headers["www-authenticate"] for a in answers} == {"Bearer"}

"""Rollback, its backup CSV and restore through the live API: the same service, figures and
refusals as the CLI, roles through the key's member, 404 across workspaces."""

from __future__ import annotations

import csv
import http.client
import io
import shutil
import subprocess
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from live_api import (
    LiveServer,
    Tenant,
    cli_json,
    csv_bytes,
    lead_rows,
    wait_for,
)
from sqlalchemy import insert, select, update

from leadport.db.bulk import utcnow
from leadport.db.engine import read_transaction, write_transaction
from leadport.db.schema import activities, campaign_leads, campaigns, imports, leads, workspaces

ROUTES = ("rollback", "rollback?preview=true", "restore", "backup.csv")


def batch(client: httpx.Client, rows: list[dict[str, str]], campaign: str | None = None) -> str:
    response = client.post("/api/v1/imports/batch", json={"campaign": campaign, "rows": rows})
    assert response.status_code == 201, response.text
    return str(response.json()["import_id"])


def rollback(client: httpx.Client, import_id: str, *, preview: bool = False) -> httpx.Response:
    params = {"preview": "true"} if preview else None
    return client.post(f"/api/v1/imports/{import_id}/rollback", params=params)


def state(live_server: LiveServer, workspace_id: int) -> dict[str, Any]:
    """Everything a rollback touches in one workspace, row by row."""
    in_ws = campaigns.c.workspace_id == workspace_id
    with read_transaction(live_server.app.engine) as conn:
        return {
            "leads": [
                dict(r._mapping)
                for r in conn.execute(
                    select(leads).where(leads.c.workspace_id == workspace_id).order_by(leads.c.id)
                )
            ],
            "memberships": [
                dict(r._mapping)
                for r in conn.execute(
                    select(campaign_leads)
                    .join(campaigns, campaigns.c.id == campaign_leads.c.campaign_id)
                    .where(in_ws)
                    .order_by(campaign_leads.c.id)
                )
            ],
            "activities": [
                dict(r._mapping)
                for r in conn.execute(
                    select(activities)
                    .join(campaign_leads, campaign_leads.c.id == activities.c.campaign_lead_id)
                    .join(campaigns, campaigns.c.id == campaign_leads.c.campaign_id)
                    .where(in_ws)
                    .order_by(activities.c.id)
                )
            ],
            "imports": [
                dict(r._mapping)
                for r in conn.execute(
                    select(imports.c.id, imports.c.state)
                    .where(imports.c.workspace_id == workspace_id)
                    .order_by(imports.c.id)
                )
            ],
        }


def add_activity(tenant: Tenant, email: str, campaign: str, *types: str) -> None:
    """Activity straight into the tenant's tables (the live server is shared by every test)."""
    with write_transaction(tenant.server.app.engine) as conn:
        membership = conn.execute(
            select(campaign_leads.c.id)
            .join(leads, leads.c.id == campaign_leads.c.lead_id)
            .join(campaigns, campaigns.c.id == campaign_leads.c.campaign_id)
            .where(
                leads.c.workspace_id == tenant.workspace.id,
                leads.c.email == email,
                campaigns.c.name == campaign,
            )
        ).scalar_one()
        for kind in types:
            conn.execute(
                insert(activities).values(campaign_lead_id=membership, type=kind, at=utcnow())
            )


def sql(live_server: LiveServer, statement: Any) -> None:
    with write_transaction(live_server.app.engine) as conn:
        conn.execute(statement)


@pytest.fixture
def imported(live_server: LiveServer, tenant: Tenant) -> str:
    """An API batch into Q4 that creates three leads and fills one field of a lead that existed,
    with some activity on its memberships."""
    client = tenant.client()
    assert client.post("/api/v1/campaigns", json={"name": "Q4"}).status_code == 201
    batch(client, [{"email": "old@example.com", "first_name": "Olga"}])
    rows = [*lead_rows(3), {"email": "old@example.com", "job_title": "CTO"}]
    import_id = batch(client, rows, campaign="Q4")
    add_activity(tenant, "lead0@example.com", "Q4", "sent", "replied")
    add_activity(tenant, "lead1@example.com", "Q4", "sent", "meeting_booked")
    return import_id


def figures(import_id: str, *, preview: bool) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "preview": preview,
        "memberships": 4,
        "leads_deleted": 3,
        "with_activity": 2,
        "replied": 1,
        "meetings_booked": 1,
        "backup_file": None if preview else f"/api/v1/imports/{import_id}/backup.csv",
        "leads_reverted": 1,
        "fields_restored": 1,
        "kept_newer": [],
    }


def test_a_preview_changes_nothing_and_gives_the_figures_of_the_cli_and_of_the_rollback(
    live_server: LiveServer, tenant: Tenant, imported: str
) -> None:
    client = tenant.client()
    before = state(live_server, tenant.workspace.id)

    preview = rollback(client, imported, preview=True)

    assert preview.status_code == 200, preview.text
    assert preview.json() == figures(imported, preview=True)
    assert state(live_server, tenant.workspace.id) == before
    assert client.get(f"/api/v1/imports/{imported}").json()["state"] == "completed"
    cli = cli_json(live_server, "rollback", imported, "--preview", "--as", tenant.admin_email)
    assert cli == preview.json()

    done = rollback(client, imported)

    assert done.status_code == 200, done.text
    assert done.json() == figures(imported, preview=False)
    assert client.get(f"/api/v1/imports/{imported}").json()["state"] == "rolled_back"
    report = client.get(f"/api/v1/imports/{imported}/report")
    assert (report.status_code, report.json()["account"]["added"]) == (200, 3)
    after = state(live_server, tenant.workspace.id)
    assert [lead["email"] for lead in after["leads"]] == ["old@example.com"]
    assert after["leads"][0]["job_title"] is None
    assert after["memberships"] == after["activities"] == []


def test_the_backup_csv_downloads_with_the_removed_leads_gzip_or_plain(
    live_server: LiveServer, tenant: Tenant, imported: str
) -> None:
    client = tenant.client()
    path = f"/api/v1/imports/{imported}/backup.csv"
    never = client.get(path)
    assert (never.status_code, never.json()["message"]) == (
        404,
        f"Import {imported} has no backup: only a rollback writes one, and it was never rolled back.",
    )
    assert rollback(client, imported).status_code == 200

    gzipped = client.get(path)  # httpx asks for gzip and decodes it
    plain = client.get(path, headers={"Accept-Encoding": "identity"})

    assert gzipped.status_code == plain.status_code == 200
    assert gzipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert plain.headers["content-type"] == "text/csv; charset=utf-8"
    assert plain.headers["content-disposition"].startswith(
        f'attachment; filename="import-{imported}-rollback-'
    )
    assert gzipped.content == plain.content
    assert plain.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(plain.content.decode("utf-8-sig"))))
    assert [(r["email"], r["leadport_lead_deleted"]) for r in rows] == [
        ("lead0@example.com", "yes"),
        ("lead1@example.com", "yes"),
        ("lead2@example.com", "yes"),
        ("old@example.com", "no"),
    ]
    assert {r["leadport_campaign"] for r in rows} == {"Q4"}
    assert [
        (r["leadport_sent"], r["leadport_replied"], r["leadport_meeting_booked"]) for r in rows
    ][:2] == [("1", "1", "0"), ("1", "0", "1")]
    assert _without_accept_encoding(live_server, tenant, path) == plain.content


def _without_accept_encoding(live_server: LiveServer, tenant: Tenant, path: str) -> bytes:
    """What a client that asks for no encoding at all gets (curl without --compressed)."""
    if curl := shutil.which("curl"):
        return subprocess.run(
            [
                curl,
                "-sf",
                "-H",
                f"Authorization: Bearer {tenant.admin_key}",
                live_server.url + path,
            ],
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
    where = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.putheader("Authorization", f"Bearer {tenant.admin_key}")
        conn.endheaders()
        response = conn.getresponse()
        assert response.getheader("Content-Encoding") is None
        return response.read()
    finally:
        conn.close()


def test_restore_brings_the_import_back_and_it_can_be_rolled_back_again(
    live_server: LiveServer, tenant: Tenant, imported: str
) -> None:
    client = tenant.client()
    before = state(live_server, tenant.workspace.id)
    assert rollback(client, imported).status_code == 200

    restored = client.post(f"/api/v1/imports/{imported}/restore")

    assert restored.status_code == 200, restored.text
    assert restored.json() == {
        "import_id": imported,
        "leads_restored": 3,
        "memberships_restored": 4,
        "fields_restored": 1,
        "skipped": [],
        "kept_newer": [],
    }
    assert client.get(f"/api/v1/imports/{imported}").json()["state"] == "completed"
    assert state(live_server, tenant.workspace.id) == before
    assert client.get(f"/api/v1/imports/{imported}/backup.csv").status_code == 200
    again = client.post(f"/api/v1/imports/{imported}/restore")
    assert (again.status_code, again.json()["message"]) == (
        409,
        f"Import {imported} is completed, not rolled back; only a rolled-back import can be "
        "restored.",
    )
    assert rollback(client, imported).json() == figures(imported, preview=False)


def test_a_restore_reports_a_lead_whose_email_was_taken_since(tenant: Tenant) -> None:
    client = tenant.client()
    import_id = batch(client, lead_rows(2))
    assert rollback(client, import_id).status_code == 200
    batch(client, lead_rows(1))

    restored = client.post(f"/api/v1/imports/{import_id}/restore").json()

    assert (restored["leads_restored"], restored["skipped"]) == (
        1,
        [
            {
                "email": "lead0@example.com",
                "linkedin_url": None,
                "reason": "email already belongs to another lead",
            }
        ],
    )


def test_refusals_are_409_with_the_reason_and_change_nothing(
    live_server: LiveServer, tenant: Tenant, imported: str
) -> None:
    client = tenant.client()
    assert rollback(client, imported).status_code == 200
    twice = rollback(client, imported)
    assert (twice.status_code, twice.json()) == (
        409,
        {
            "code": "conflict",
            "message": f"Import {imported} is already rolled back.",
            "detail": None,
        },
    )
    long_ago = utcnow() - timedelta(days=live_server.app.settings.restore_retention_days + 1)
    sql(
        live_server,
        update(imports).where(imports.c.id == int(imported)).values(rolled_back_at=long_ago),
    )
    late = client.post(f"/api/v1/imports/{imported}/restore")
    assert late.status_code == 409
    assert late.json()["message"].startswith(f"Import {imported} can no longer be restored")

    other = batch(client, lead_rows(1, domain="running.example.com"))
    sql(live_server, update(imports).where(imports.c.id == int(other)).values(state="running"))
    before = state(live_server, tenant.workspace.id)
    for preview in (True, False):
        running = rollback(client, other, preview=preview)
        assert (running.status_code, running.json()["message"]) == (
            409,
            f"Import {other} is still running; roll it back once it has finished.",
        )
    assert state(live_server, tenant.workspace.id) == before
    sql(live_server, update(imports).where(imports.c.id == int(other)).values(state="completed"))

    accepted = client.post(
        "/api/v1/imports",
        files={"file": ("dry.csv", csv_bytes(lead_rows(1)), "text/csv")},
        data={"dry_run": "true"},
    ).json()
    dry = accepted["import_id"]
    wait_for(lambda: client.get(f"/api/v1/imports/{dry}").json()["state"] == "completed")
    refused = rollback(client, dry, preview=True)
    assert (refused.status_code, refused.json()["message"]) == (
        409,
        f"Import {dry} was a dry run and changed nothing; there is nothing to roll back.",
    )


def test_a_member_needs_members_can_rollback_and_then_only_their_own_imports(
    live_server: LiveServer, tenant: Tenant
) -> None:
    member, admin = tenant.client(role="member"), tenant.client()
    own = batch(member, lead_rows(2, domain="member.example.com"))
    admins = batch(admin, lead_rows(2, domain="admin.example.com"))
    before = state(live_server, tenant.workspace.id)
    for preview in (True, False):
        refused = rollback(member, own, preview=preview)
        assert (refused.status_code, refused.json()) == (
            403,
            {
                "code": "permission_denied",
                "message": f"Only an admin may roll back import {own}; {tenant.member_email} is "
                "a member (an admin can allow members to roll back their own imports with "
                "members_can_rollback).",
                "detail": None,
            },
        )
    assert state(live_server, tenant.workspace.id) == before

    sql(
        live_server,
        update(workspaces)
        .where(workspaces.c.id == tenant.workspace.id)
        .values(members_can_rollback=True),
    )
    assert member.get("/api/v1/workspace").json()["members_can_rollback"] is True
    assert rollback(member, own, preview=True).json()["leads_deleted"] == 2
    done = rollback(member, own)
    assert (done.status_code, done.json()["leads_deleted"]) == (200, 2)
    assert member.get(f"/api/v1/imports/{own}/backup.csv").status_code == 200
    theirs = rollback(member, admins)
    assert (theirs.status_code, theirs.json()["message"]) == (
        403,
        f"{tenant.member_email} may roll back only their own imports; import {admins} is "
        "another member's.",
    )
    no_restore = member.post(f"/api/v1/imports/{own}/restore")
    assert (no_restore.status_code, no_restore.json()["message"]) == (
        403,
        f"Only an admin may restore import {own}; {tenant.member_email} is a member.",
    )
    assert admin.post(f"/api/v1/imports/{own}/restore").json()["leads_restored"] == 2


def test_another_workspaces_import_is_not_found_and_untouched(
    live_server: LiveServer, tenant: Tenant
) -> None:
    mine = tenant.client()
    import_id = batch(mine, lead_rows(2))
    assert rollback(mine, import_id).status_code == 200
    before = state(live_server, tenant.workspace.id)
    other = live_server.tenant().client()

    for route in ROUTES:
        method = "GET" if route.endswith(".csv") else "POST"
        response = other.request(method, f"/api/v1/imports/{import_id}/{route}")
        assert (response.status_code, response.json()) == (
            404,
            {
                "code": "not_found",
                "message": f"No import {import_id} in this workspace.",
                "detail": None,
            },
        ), route
    assert state(live_server, tenant.workspace.id) == before


def test_every_route_needs_a_key(live_server: LiveServer, tenant: Tenant) -> None:
    import_id = batch(tenant.client(), lead_rows(1))
    anonymous = live_server.client()
    for route in ROUTES:
        method = "GET" if route.endswith(".csv") else "POST"
        response = anonymous.request(method, f"/api/v1/imports/{import_id}/{route}")
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert tenant.client().get(f"/api/v1/imports/{import_id}").json()["state"] == "completed"


def test_the_document_lists_the_routes_with_their_statuses(live_server: LiveServer) -> None:
    paths = live_server.client().get("/api/v1/openapi.json").json()["paths"]
    for path, method, statuses in (
        ("/api/v1/imports/{import_id}/rollback", "post", {"200", "401", "403", "404", "409"}),
        ("/api/v1/imports/{import_id}/restore", "post", {"200", "401", "403", "404", "409"}),
        ("/api/v1/imports/{import_id}/backup.csv", "get", {"200", "401", "404"}),
    ):
        assert statuses | {"422"} == set(paths[path][method]["responses"]), path
    assert (
        "text/csv"
        in (paths["/api/v1/imports/{import_id}/backup.csv"]["get"]["responses"]["200"]["content"])
    )

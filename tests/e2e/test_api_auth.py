"""API keys and roles: 401 without a valid key, 403 where the role may not, 404 across workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from live_api import SERVER_SETTINGS, LiveServer, Tenant, csv_bytes, lead_rows, wait_for

from leadport.bootstrap import build
from leadport.config import Settings


def test_routes_need_a_valid_key(live_server: LiveServer, tenant: Tenant) -> None:
    anonymous = live_server.client()
    wrong = live_server.client("lp_aaaaaaaaaaaa_" + "x" * 43)
    garbage = live_server.client("not-a-key")
    for client in (anonymous, wrong, garbage):
        response = client.get("/api/v1/imports/1")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["code"] == "not_authenticated"
    assert anonymous.get("/api/v1/workspace").json()["message"] == (
        "This route needs an API key: send the header `Authorization: Bearer KEY`."
    )
    assert (
        wrong.get("/api/v1/workspace").json()["message"]
        == "This API key is unknown or was revoked."
    )
    basic = live_server.client()
    assert (
        basic.get("/api/v1/workspace", headers={"Authorization": "Basic dTpw"}).status_code == 401
    )
    assert live_server.client().get("/healthz").json()["status"] == "ok"


def test_the_servers_address_opens_the_api_documentation(live_server: LiveServer) -> None:
    browser = live_server.client()
    first = browser.get("/")
    assert first.status_code == 307
    assert first.headers["location"] == "/api/v1/docs"
    docs = browser.get("/", follow_redirects=True)
    assert docs.status_code == 200
    assert "/api/v1/openapi.json" in docs.text


def test_a_key_speaks_for_its_member_and_records_its_use(tenant: Tenant) -> None:
    me = tenant.client(role="member").get("/api/v1/workspace").json()
    assert (me["me"]["email"], me["me"]["role"], me["name"]) == (
        tenant.member_email,
        "member",
        tenant.workspace.name,
    )
    keys = tenant.client().get("/api/v1/apikeys").json()
    used = {k["name"]: k["last_used_at"] for k in keys}
    assert used["member key"] is not None
    assert used["admin key"] is not None
    assert all("key" not in k and "key_hash" not in k for k in keys)


def test_admins_create_and_revoke_keys_members_only_their_own(tenant: Tenant) -> None:
    admin, member = tenant.client(), tenant.client(role="member")
    created = admin.post(
        "/api/v1/apikeys", json={"name": "zapier", "member_email": tenant.member_email}
    )
    assert created.status_code == 201
    new = created.json()
    assert new["key"].startswith(f"lp_{new['prefix']}_")
    assert new["member"] == tenant.member_email
    via_new = tenant.server.client(new["key"])
    assert via_new.get("/api/v1/workspace").json()["me"]["email"] == tenant.member_email
    assert [k["name"] for k in member.get("/api/v1/apikeys").json()] == ["member key", "zapier"]
    assert len(admin.get("/api/v1/apikeys").json()) == 3
    refused = member.post("/api/v1/apikeys", json={"name": "mine"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    admin_key_id = next(
        k["id"] for k in admin.get("/api/v1/apikeys").json() if k["name"] == "admin key"
    )
    assert member.delete(f"/api/v1/apikeys/{admin_key_id}").status_code == 403
    revoked = member.delete(f"/api/v1/apikeys/{new['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert via_new.get("/api/v1/workspace").status_code == 401
    assert member.delete(f"/api/v1/apikeys/{new['id']}").status_code == 409
    unknown = admin.post("/api/v1/apikeys", json={"member_email": "stranger@example.com"})
    assert unknown.status_code == 404


def test_members_cannot_manage_members_but_admins_can(tenant: Tenant) -> None:
    refused = tenant.client(role="member").post(
        "/api/v1/members", json={"email": "new@example.com"}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    added = tenant.client().post(
        "/api/v1/members", json={"email": "new@example.com", "role": "member"}
    )
    assert added.status_code == 201
    assert added.json()["role"] == "member"
    emails = [m["email"] for m in tenant.client(role="member").get("/api/v1/members").json()]
    assert emails == [tenant.admin_email, tenant.member_email, "new@example.com"]
    assert (
        tenant.client().post("/api/v1/members", json={"email": "new@example.com"}).status_code
        == 409
    )


def test_another_workspace_is_not_found_never_forbidden(
    live_server: LiveServer, tenant: Tenant
) -> None:
    mine = tenant.client()
    import_id = mine.post("/api/v1/imports/batch", json={"rows": lead_rows(2)}).json()["import_id"]
    campaign_id = mine.post("/api/v1/campaigns", json={"name": "Mine"}).json()["id"]
    key_id = mine.get("/api/v1/apikeys").json()[0]["id"]
    theirs = live_server.tenant().client()
    for method, path in (
        ("GET", f"/api/v1/imports/{import_id}"),
        ("GET", f"/api/v1/imports/{import_id}/report"),
        ("GET", f"/api/v1/imports/{import_id}/rejected.csv"),
        ("POST", f"/api/v1/imports/{import_id}/cancel"),
        ("GET", f"/api/v1/campaigns/{campaign_id}"),
        ("DELETE", f"/api/v1/apikeys/{key_id}"),
    ):
        response = theirs.request(method, path)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "not_found"
    uploaded = theirs.post(
        "/api/v1/imports",
        files={"file": ("l.csv", csv_bytes(lead_rows(1)))},
        data={"campaign": "Mine"},
    )
    assert uploaded.status_code == 404


def test_the_cli_creates_a_key_shown_once_and_revokes_it(
    cli_process: Any, env: dict[str, str], tmp_path: Path, own_server: Any
) -> None:
    created = cli_process("apikey", "create", "--name", "script")
    assert created.exit_code == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("lp_")
    assert "\n" not in key
    assert "not shown again" in created.stderr
    app = build(
        Settings(
            data_dir=Path(env["LEADPORT_DATA_DIR"]),
            database_url=env["LEADPORT_DATABASE_URL"],
            **{**SERVER_SETTINGS, "secret_key": env["LEADPORT_SECRET_KEY"]},
        )
    )
    server = LiveServer(own_server(app), app, "cli")
    try:
        client = server.client(key)
        assert client.get("/api/v1/workspace").json()["me"]["email"] == "admin@localhost"
        prefix = key.split("_")[1]
        revoked = cli_process("apikey", "revoke", prefix)
        assert revoked.exit_code == 0, revoked.stderr
        assert revoked.stdout.strip() == f"API key 1 (prefix {prefix}) of admin@localhost revoked."
        wait_for(lambda: client.get("/api/v1/workspace").status_code == 401, timeout=5)
        missing = cli_process("apikey", "revoke", "nosuchkey")
        assert (missing.exit_code, missing.stderr.strip()) == (
            1,
            "leadport: No API key 'nosuchkey' in this workspace.",
        )
    finally:
        server.close_clients()

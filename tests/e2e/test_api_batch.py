"""JSON batch imports: imported at once, and never twice for one Idempotency-Key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from live_api import LiveServer, Tenant, lead_rows
from sqlalchemy import func, select

from leadport.db.engine import read_transaction
from leadport.db.schema import imports, leads


def _counts(server: LiveServer, tenant: Tenant) -> tuple[int, int]:
    with read_transaction(server.app.engine) as conn:
        n_leads = conn.execute(
            select(func.count())
            .select_from(leads)
            .where(leads.c.workspace_id == tenant.workspace.id)
        ).scalar_one()
        n_imports = conn.execute(
            select(func.count())
            .select_from(imports)
            .where(imports.c.workspace_id == tenant.workspace.id)
        ).scalar_one()
    return int(n_leads), int(n_imports)


def test_a_batch_is_imported_at_once_with_its_report(tenant: Tenant) -> None:
    client = tenant.client(role="member")
    client.post("/api/v1/campaigns", json={"name": "Batch", "required_fields": ["first_name"]})
    rows = [*lead_rows(2), {"email": "nameless@example.com"}, {"email": "broken@"}]
    response = client.post(
        "/api/v1/imports/batch", json={"campaign": "Batch", "tags": ["api"], "rows": rows}
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert response.headers["location"] == f"/api/v1/imports/{report['import_id']}"
    assert (report["source"], report["state"], report["file_name"], report["rows_read"]) == (
        "api",
        "completed",
        None,
        4,
    )
    assert report["account"] == {"added": 3, "modified": 0, "rejected": 1}
    assert report["campaign"] == {
        "imported": 2,
        "excluded_duplicates": 0,
        "active_elsewhere": 0,
        "failed": 1,
    }
    assert [(r["row"], r["code"], r["campaign_code"]) for r in report["rows"]] == [
        (1, "added", "imported"),
        (2, "added", "imported"),
        (3, "added", "missing_field"),
        (4, "invalid_email", None),
    ]
    status = client.get(f"/api/v1/imports/{report['import_id']}").json()
    assert (status["state"], status["member"], status["rows_total"]) == (
        "completed",
        tenant.member_email,
        4,
    )
    assert client.get(f"/api/v1/imports/{report['import_id']}/report").json() == report


def test_a_batch_without_rows_completes_with_zero_rows_as_a_header_only_file(
    tenant: Tenant,
) -> None:
    response = tenant.client().post("/api/v1/imports/batch", json={"rows": []})
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["state"], report["rows_read"], report["rows"]) == ("completed", 0, [])


def test_batch_tags_are_trimmed_and_a_blank_one_is_dropped(tenant: Tenant) -> None:
    client = tenant.client()
    body = {"tags": [" vip ", "", "vip"], "rows": [{"email": "tagged@example.com"}]}
    response = client.post("/api/v1/imports/batch", json=body)
    assert response.status_code == 201, response.text
    [lead] = client.get("/api/v1/leads", params={"email": "tagged@example.com"}).json()["leads"]
    assert lead["tags"] == ["vip"]


def test_a_retried_batch_returns_the_first_result_and_imports_nothing_twice(
    live_server: LiveServer, tenant: Tenant
) -> None:
    client = tenant.client()
    body = {"rows": lead_rows(3, domain="retry.example.com")}
    first = client.post("/api/v1/imports/batch", json=body, headers={"Idempotency-Key": "order-42"})
    again = client.post("/api/v1/imports/batch", json=body, headers={"Idempotency-Key": "order-42"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["account"]["added"] == 3
    assert _counts(live_server, tenant) == (3, 1)
    other_key = client.post(
        "/api/v1/imports/batch", json=body, headers={"Idempotency-Key": "order-43"}
    ).json()
    assert other_key["account"] == {"added": 0, "modified": 3, "rejected": 0}


def test_copies_of_one_batch_sent_together_make_one_import(
    live_server: LiveServer, tenant: Tenant
) -> None:
    body = {"rows": lead_rows(50, domain="race.example.com")}

    def send(_: int) -> tuple[int, str]:
        with live_server.client(tenant.admin_key) as client:
            r = client.post(
                "/api/v1/imports/batch", json=body, headers={"Idempotency-Key": "same-batch"}
            )
            return r.status_code, r.json()["import_id"]

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(send, range(6)))
    assert {status for status, _ in results} == {201}
    assert len({import_id for _, import_id in results}) == 1
    assert _counts(live_server, tenant) == (50, 1)


def test_a_key_reused_for_other_options_is_refused(tenant: Tenant) -> None:
    client = tenant.client()
    client.post(
        "/api/v1/imports/batch", json={"rows": lead_rows(1)}, headers={"Idempotency-Key": "k-1"}
    )
    clash = client.post(
        "/api/v1/imports/batch",
        json={"rows": lead_rows(1), "overwrite": True},
        headers={"Idempotency-Key": "k-1"},
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "conflict"
    assert "Idempotency-Key 'k-1' was already used for import" in clash.json()["message"]


def test_a_dry_run_batch_reports_and_writes_nothing(
    live_server: LiveServer, tenant: Tenant
) -> None:
    client = tenant.client()
    response = client.post(
        "/api/v1/imports/batch",
        json={"dry_run": True, "rows": lead_rows(4)},
        headers={"Idempotency-Key": "dry"},
    )
    assert response.status_code == 200
    assert (response.json()["dry_run"], response.json()["account"]["added"]) == (True, 4)
    assert _counts(live_server, tenant) == (0, 0)


def test_batches_over_the_row_limit_or_malformed_are_refused(
    live_server: LiveServer, tenant: Tenant
) -> None:
    client = tenant.client()
    limit = live_server.app.settings.max_batch_rows
    big = client.post("/api/v1/imports/batch", json={"rows": lead_rows(limit + 1)})
    assert big.status_code == 413
    assert big.json()["message"].startswith(
        f"A batch holds at most {limit} rows (this one has {limit + 1})"
    )
    for body, headers in (
        ({"rows": "nope"}, {}),
        ({"rows": [], "mode": "maybe"}, {}),
        ({"row": []}, {}),
        ({"rows": []}, {"Idempotency-Key": "x" * 201}),
    ):
        bad = client.post("/api/v1/imports/batch", json=body, headers=headers)
        assert bad.status_code == 422, bad.text
        assert set(bad.json()) == {"code", "message", "detail"}
    not_json = client.post(
        "/api/v1/imports/batch", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert (not_json.status_code, not_json.json()["code"]) == (422, "usage_error")
    assert _counts(live_server, tenant) == (0, 0)

"""Text that cannot be a name or cannot be stored is the caller's error (422), on both backends."""

from __future__ import annotations

from live_api import Tenant


def test_a_campaign_name_with_a_nul_character_is_refused_with_a_clear_message(
    tenant: Tenant,
) -> None:
    client = tenant.client()
    answer = client.post("/api/v1/campaigns", json={"name": "Q4\u0000"})
    assert answer.status_code == 422
    assert answer.json()["message"] == (
        "A campaign name may not contain control characters such as U+0000."
    )
    assert client.get("/api/v1/campaigns").json() == []


def test_a_batch_naming_a_campaign_with_a_nul_character_is_a_422_not_a_server_error(
    tenant: Tenant,
) -> None:
    answer = tenant.client().post(
        "/api/v1/imports/batch",
        json={"campaign": "Q\u00004", "rows": [{"email": "ann@example.com"}]},
    )
    # SQLite can hold NUL and finds no such campaign; PostgreSQL cannot even look it up.
    expected = (404, "not_found") if tenant.server.backend == "sqlite" else (422, "usage_error")
    assert (answer.status_code, answer.json()["code"]) == expected


def test_a_body_that_is_not_json_is_located_by_character(tenant: Tenant) -> None:
    answer = tenant.client().post(
        "/api/v1/imports/batch",
        content=b'{"rows": [}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["message"] == (
        "Invalid body: not valid JSON (Expecting value, at character 10)."
    )
    assert answer.json()["detail"]["errors"] == [
        {"where": "body", "problem": "not valid JSON (Expecting value, at character 10)"}
    ]

"""File uploads through the live API: queued, run in the background, followed, reported, cancelled."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from live_api import LiveServer, Tenant, csv_bytes, lead_rows, wait_for
from sqlalchemy import func, select

from leadport.db.engine import read_transaction
from leadport.db.schema import imports, leads

FINAL = ("completed", "failed", "cancelled")


def upload(
    client: httpx.Client, content: bytes, name: str = "leads.csv", **fields: Any
) -> httpx.Response:
    return client.post("/api/v1/imports", files={"file": (name, content, "text/csv")}, data=fields)


def finished(client: httpx.Client, import_id: str, timeout: float = 60) -> dict[str, Any]:
    def state() -> dict[str, Any] | None:
        body = client.get(f"/api/v1/imports/{import_id}").json()
        return body if body["state"] in FINAL else None

    return wait_for(state, timeout=timeout)  # type: ignore[no-any-return]


def lead_count(server: LiveServer, workspace_id: int) -> int:
    with read_transaction(server.app.engine) as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(leads).where(leads.c.workspace_id == workspace_id)
            ).scalar_one()
        )


def big_rows(tenant: Tenant) -> int:
    """Enough rows to watch an import run for a few seconds on either backend."""
    return 60_000


def big_file(tenant: Tenant) -> bytes:
    return csv_bytes(lead_rows(big_rows(tenant), domain="big.example.com"))


def test_upload_is_queued_then_completed_and_reported(tenant: Tenant) -> None:
    client = tenant.client()
    campaign = client.post("/api/v1/campaigns", json={"name": "Q4"}).json()
    content = csv_bytes(lead_rows(3)) + b"not-an-email,Ann,Lee,Acme\n"
    accepted = upload(client, content, campaign="Q4", tags=["q4", "fair"])
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["state"] == "queued"
    assert accepted.headers["location"] == f"/api/v1/imports/{body['import_id']}"
    status = finished(client, body["import_id"])
    assert status["state"] == "completed"
    assert status["campaign"] == campaign["name"]
    assert (status["rows_done"], status["rows_total"]) == (4, 4)
    assert status["account"] == {"added": 3, "modified": 0, "rejected": 1}
    assert status["member"] == tenant.admin_email
    report = client.get(f"/api/v1/imports/{body['import_id']}/report").json()
    assert report["campaign"] == {
        "imported": 3,
        "excluded_duplicates": 0,
        "active_elsewhere": 0,
        "failed": 0,
    }
    assert [r["code"] for r in report["rows"]] == ["added", "added", "added", "invalid_email"]
    assert report["rows"][3] == {
        "row": 5,
        "code": "invalid_email",
        "campaign_code": None,
        "lead_id": None,
        "message": "Invalid email format",
        "warnings": [],
        "detail": report["rows"][3]["detail"],
    }


def test_rejected_rows_download_as_csv_ready_to_reimport(tenant: Tenant) -> None:
    client = tenant.client()
    content = b"email,first_name\nok@example.com,Ann\nnope,Bob\n"
    import_id = upload(client, content).json()["import_id"]
    finished(client, import_id)
    response = client.get(f"/api/v1/imports/{import_id}/rejected.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f"rejected-{import_id}.csv" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "email",
            "first_name",
            "leadport_row",
            "leadport_code",
            "leadport_reason",
            "leadport_conflict",
        ],
        ["nope", "Bob", "3", "invalid_email", "Invalid email format", ""],
    ]


def test_dry_run_reports_exactly_and_writes_nothing(
    live_server: LiveServer, tenant: Tenant
) -> None:
    client = tenant.client()
    content = csv_bytes(lead_rows(5))
    import_id = upload(client, content, dry_run="true").json()["import_id"]
    status = finished(client, import_id)
    assert (status["state"], status["dry_run"], status["account"]["added"]) == (
        "completed",
        True,
        5,
    )
    report = client.get(f"/api/v1/imports/{import_id}/report").json()
    assert report["dry_run"] is True
    assert [r["code"] for r in report["rows"]] == ["added"] * 5
    assert lead_count(live_server, tenant.workspace.id) == 0
    assert client.get(f"/api/v1/imports/{import_id}/rejected.csv").status_code == 409
    real = upload(client, content).json()["import_id"]
    assert finished(client, real)["account"]["added"] == 5


def test_the_same_file_again_is_flagged_as_a_repeat(tenant: Tenant) -> None:
    client = tenant.client()
    content = csv_bytes(lead_rows(2, domain="repeat.example.com"))
    first = upload(client, content).json()["import_id"]
    finished(client, first)
    again = upload(client, content).json()
    assert again["repeat_of"]["import_id"] == first
    assert finished(client, again["import_id"])["repeat_of"] == first


def test_progress_is_readable_while_an_import_runs(tenant: Tenant) -> None:
    client = tenant.client()
    import_id = upload(client, big_file(tenant)).json()["import_id"]
    seen: list[dict[str, Any]] = []

    def running_with_progress() -> bool:
        body = client.get(f"/api/v1/imports/{import_id}").json()
        seen.append(body)
        return body["state"] in FINAL or (body["state"] == "running" and body["rows_done"] > 0)

    wait_for(running_with_progress, timeout=60, interval=0.02)
    during = seen[-1]
    assert during["state"] == "running", "the import ended before any progress was seen"
    assert 0 < during["rows_done"] < big_rows(tenant)
    assert 0 < during["progress_done"] <= during["progress_total"]
    done = finished(client, import_id)
    assert (done["state"], done["rows_done"], done["rows_total"]) == (
        "completed",
        big_rows(tenant),
        big_rows(tenant),
    )
    assert done["progress_done"] == done["progress_total"]


def test_cancelling_a_running_import_rolls_it_back_whole(
    live_server: LiveServer, tenant: Tenant
) -> None:
    client = tenant.client()
    import_id = upload(client, big_file(tenant)).json()["import_id"]

    def running() -> bool:
        body = client.get(f"/api/v1/imports/{import_id}").json()
        return body["state"] == "running" and body["rows_done"] > 0

    wait_for(running, timeout=60, interval=0.02)
    response = client.post(f"/api/v1/imports/{import_id}/cancel")
    assert response.status_code == 202
    assert response.json()["state"] in ("running", "cancelled")
    status = finished(client, import_id)
    assert status["state"] == "cancelled"
    assert status["error"] == "Cancelled on request; nothing of it was kept."
    assert lead_count(live_server, tenant.workspace.id) == 0
    assert client.get(f"/api/v1/imports/{import_id}/report").status_code == 409


def test_an_upload_over_the_limit_is_refused_with_413_naming_the_limit(
    live_server: LiveServer, tenant: Tenant
) -> None:
    client = tenant.client()
    limit = live_server.app.settings.max_upload_bytes
    too_big = b"email\n" + b"x@example.com\n" * (limit // 14 + 1000)

    def chunks() -> Any:
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
            + too_big
            + b"\r\n--b--\r\n"
        )
        for i in range(0, len(body), 65536):
            yield body[i : i + 65536]

    before = _import_count(live_server, tenant)
    for response in (
        upload(client, too_big, name="big.csv"),  # declared length
        client.post(
            "/api/v1/imports",
            content=chunks(),
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        ),
    ):
        assert response.status_code == 413
        assert response.json()["code"] == "limit_exceeded"
        assert "4 MiB" in response.json()["message"]
        assert response.json()["detail"] == {"limit_bytes": limit}
    assert _import_count(live_server, tenant) == before
    assert list((live_server.app.settings.data_dir / "uploads").glob("*")) == [] or _no_orphans(
        live_server
    )


def _import_count(server: LiveServer, tenant: Tenant) -> int:
    with read_transaction(server.app.engine) as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(imports)
                .where(imports.c.workspace_id == tenant.workspace.id)
            ).scalar_one()
        )


def _no_orphans(server: LiveServer) -> bool:
    """Every upload file left on disk belongs to an import still waiting or running."""
    with read_transaction(server.app.engine) as conn:
        kept = set(
            conn.execute(
                select(imports.c.file_path).where(imports.c.state.in_(["queued", "running"]))
            ).scalars()
        )
    return all(str(p) in kept for p in (server.app.settings.data_dir / "uploads").glob("*"))


def test_bad_uploads_are_refused_with_a_clear_error(tenant: Tenant) -> None:
    client = tenant.client()
    content = csv_bytes(lead_rows(1))
    cases = [
        (upload(client, content, mode="sometimes"), 422, "usage_error"),
        (upload(client, content, mapping="{not json"), 422, "usage_error"),
        (upload(client, content, colour="blue"), 422, "usage_error"),
        (upload(client, content, campaign="No such campaign"), 404, "not_found"),
        (client.post("/api/v1/imports", data={"campaign": "x"}), 422, "usage_error"),
        (client.post("/api/v1/imports", json={"file": "x"}), 422, "usage_error"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.json()["message"]
    assert "colour" in cases[2][0].json()["message"]
    assert (
        cases[3][0].json()["message"] == "No campaign named 'No such campaign' in this workspace."
    )


def test_an_unreadable_file_fails_the_import_with_the_reason(tenant: Tenant) -> None:
    client = tenant.client()
    import_id = upload(
        client, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, name="photo.csv"
    ).json()["import_id"]
    status = finished(client, import_id)
    assert status["state"] == "failed"
    assert status["error"]
    assert client.get(f"/api/v1/imports/{import_id}/report").json()["code"] == "conflict"

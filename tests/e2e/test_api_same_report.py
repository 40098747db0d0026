"""One pipeline, several doors: a file gives the same report through the API as through the CLI."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from live_api import Tenant, wait_for

SAMPLE = resources.files("leadport.samples") / "sample_leads.csv"


def _normalized(report: dict[str, Any]) -> dict[str, Any]:
    """The report with its ids replaced by their order of appearance (two databases, two id series)."""
    ranks: dict[str, int] = {}

    def rank(value: Any) -> Any:
        return None if value is None else ranks.setdefault(str(value), len(ranks))

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return rank(value) if key.endswith("lead_id") else value

    return walk({k: v for k, v in report.items() if k != "import_id"})  # type: ignore[no-any-return]


def _api_report(client: httpx.Client, content: bytes, **fields: str) -> dict[str, Any]:
    accepted = client.post(
        "/api/v1/imports", files={"file": ("sample_leads.csv", content)}, data=fields
    )
    import_id = accepted.json()["import_id"]
    wait_for(
        lambda: client.get(f"/api/v1/imports/{import_id}").json()["state"] == "completed",
        timeout=60,
    )
    return client.get(f"/api/v1/imports/{import_id}/report").json()  # type: ignore[no-any-return]


def test_the_same_file_gives_the_same_report_through_the_api_and_the_cli(
    tenant: Tenant, cli: Any, tmp_path: Path
) -> None:
    content = SAMPLE.read_bytes()
    path = tmp_path / "sample_leads.csv"
    path.write_bytes(content)
    client = tenant.client()
    assert client.post("/api/v1/campaigns", json={"name": "Q4"}).status_code == 201
    assert cli("campaign", "create", "Q4").exit_code == 0

    api_dry = _api_report(client, content, campaign="Q4", dry_run="true")
    cli_dry = cli("import", path, "--campaign", "Q4", "--dry-run", "--json")
    assert cli_dry.exit_code == 0, cli_dry.stderr
    assert _normalized(api_dry) == _normalized(cli_dry.json())

    api_real = _api_report(client, content, campaign="Q4", tags=["fair"])
    cli_real = cli("import", path, "--campaign", "Q4", "--tag", "fair", "--json")
    assert cli_real.exit_code == 0, cli_real.stderr
    assert _normalized(api_real) == _normalized(cli_real.json())
    assert api_real["rows"]
    assert {r["code"] for r in api_real["rows"]} != {"added"}, (
        "the sample should show rejections too"
    )

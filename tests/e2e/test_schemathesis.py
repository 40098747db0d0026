"""Schemathesis over the whole OpenAPI document, against the live server: no 5xx, no status or
body that the document does not promise. Bounded: a few examples per operation."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from live_api import LiveServer, Tenant
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


def test_every_operation_answers_as_documented(live_server: LiveServer, tenant: Tenant) -> None:
    """Each operation, with valid and with invalid data (schemathesis' pytest plugin does not run
    under pytest 9, so the strategies are driven here)."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    auth = {"Authorization": f"Bearer {tenant.admin_key}"}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _explore(
                    operation.as_strategy(generation_mode=mode, headers=auth), _checks(operation)
                )
            except Unsatisfiable:
                pass  # no input to make invalid (GET /healthz)
            except Exception as exc:  # every operation is tried; all failures reported together
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
                )
    assert not failures, "\n\n".join(failures)


def _checks(operation: Any) -> list[Any]:
    """All checks, but on a multipart form a value of another JSON type (a number, null) arrives
    as the same text a string would: "invalid data accepted" cannot be told there."""
    if any(body.media_type.startswith("multipart/") for body in operation.body):
        return [c for c in CHECKS if c is not negative_data_rejection]
    return CHECKS


def _explore(strategy: Any, checks: list[Any]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(checks=checks)

    run()


def test_the_document_covers_every_route_with_its_errors(live_server: LiveServer) -> None:
    document = live_server.client().get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description") or operation.get("summary"), (method, path)
            if path.startswith("/api/v1/"):
                assert {"401", "422"} <= set(operation["responses"]), (method, path)
                for status, response in operation["responses"].items():
                    if status.startswith(("4", "5")):
                        ref = response["content"]["application/json"]["schema"]["$ref"]
                        assert ref.endswith("/ErrorPublic"), (method, path, status)

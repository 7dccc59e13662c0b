"""The served OpenAPI document is the contract: it must match the committed snapshot.

When a change to the API is deliberate, update the snapshot with
`aaie openapi --write docs/openapi.json` and commit it with the change."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_served_schema_matches_the_committed_snapshot(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    drift = sorted(set(served["paths"]) ^ set(committed["paths"]))
    assert not drift, f"routes added/removed: {drift}; run `aaie openapi --write {SNAPSHOT}`"
    assert served == committed, f"schema drifted; run `aaie openapi --write {SNAPSHOT}`"


def test_every_route_documents_its_error_responses(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    undocumented = []
    for path, operations in schema["paths"].items():
        if path in {"/healthz", "/metrics"}:
            continue  # cannot fail with a client error
        for method, operation in operations.items():
            codes = {c for c in operation["responses"] if c.startswith(("4", "5"))}
            if not codes:
                undocumented.append(f"{method.upper()} {path}")
    assert not undocumented


def test_swagger_ui_is_served(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text.lower()

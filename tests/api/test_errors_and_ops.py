"""Every error is the envelope; request ids; health, readiness and metrics."""

from __future__ import annotations

import structlog
import structlog.testing
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from aaie.config import Settings
from tests.conftest import Account


def _assert_envelope(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == code and error["message"]
    assert error["request_id"] == response.headers["x-request-id"]


def test_unknown_route_wrong_method_and_bad_json_use_the_envelope(client: TestClient) -> None:
    _assert_envelope(client.get("/api/nothing-here"), 404, "not_found")
    _assert_envelope(client.delete("/api/auth/login"), 405, "method_not_allowed")
    _assert_envelope(
        client.post(
            "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
        ),
        400,
        "malformed_json",
    )
    _assert_envelope(client.post("/api/auth/login", json={"email": "x"}), 422, "validation_error")
    _assert_envelope(client.get("/api/auth/me"), 401, "unauthorized")


def test_unexpected_exception_is_a_generic_500_envelope(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    _assert_envelope(response, 500, "internal_error")
    assert "secret internal detail" not in response.text


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/api/auth/me", headers={"X-Request-ID": "trace-abc-123"})
    assert echoed.headers["x-request-id"] == "trace-abc-123"
    assert echoed.json()["error"]["request_id"] == "trace-abc-123"
    generated = client.get("/healthz")
    assert len(generated.headers["x-request-id"]) >= 16
    hostile = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert hostile.headers["x-request-id"] != "bad id\nwith newline"


def test_access_log_line_has_route_template_and_user(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    with structlog.testing.capture_logs() as logs:
        client.get(f"/api/users/{accounts['student'].id}", headers=accounts["admin"].headers)
    entry = [e for e in logs if e["event"] == "request"][-1]
    assert entry["route"] == "/api/users/{userId}"
    assert entry["status"] == 200 and entry["user_id"] == str(accounts["admin"].id)
    assert entry["method"] == "GET" and entry["duration_ms"] >= 0 and entry["request_id"]


def test_health_readiness_and_metrics(client: TestClient, settings: Settings) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").status_code == 200
    client.get("/api/auth/me")
    settings.metrics_token = SecretStr("scrape-token")
    metrics = client.get("/metrics", headers={"Authorization": "Bearer scrape-token"}).text
    assert 'aaie_http_requests_total{method="GET",route="/api/auth/me",status="401"}' in metrics
    assert "aaie_http_request_duration_seconds_bucket" in metrics


def test_readyz_is_503_when_migrations_are_behind(
    app: FastAPI, client: TestClient, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import aaie.api.routes.health as health

    monkeypatch.setattr(health, "is_current", lambda url, engine: False)
    _assert_envelope(client.get("/readyz"), 503, "service_unavailable")


def test_cors_allows_only_configured_origins(settings) -> None:  # type: ignore[no-untyped-def]
    from aaie.api.app import create_app

    settings.cors_origins = ["https://school.example.edu"]
    with TestClient(create_app(settings)) as client:
        ok = client.options(
            "/api/auth/login",
            headers={
                "Origin": "https://school.example.edu",
                "Access-Control-Request-Method": "POST",
            },
        )
        evil = client.options(
            "/api/auth/login",
            headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
        )
    assert ok.headers["access-control-allow-origin"] == "https://school.example.edu"
    assert "access-control-allow-origin" not in evil.headers


def test_a_write_is_committed_before_its_response_is_sent(
    app: FastAPI, accounts: dict[str, Account]
) -> None:
    """A client that acts on a 201 at once (registers a student, then submits for them) must
    find the row: the transaction commits before the response starts, not after it is sent."""
    from typing import Any

    from sqlalchemy import select

    from aaie.db.models import User

    email = "committed-first@example.edu"
    seen: dict[str, bool] = {}

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def send_and_look(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and scope.get("path", "").endswith(
                "/register"
            ):
                with app.state.aaie.sessions() as other:  # another connection
                    found = other.scalar(select(User).where(User.email == email))
                    seen["visible"] = found is not None
            await send(message)

        await app(scope, receive, send_and_look)

    with TestClient(watching) as client:
        response = client.post(
            "/api/auth/register",
            json={"email": email, "password": "a-long-password-1", "role": "student"},
            headers=accounts["admin"].headers,
        )
    assert response.status_code == 201, response.text
    assert seen == {"visible": True}

"""Hostile input answered with 4xx, never 500 (issue 19): paging bounds, a null PUT body field,
request bodies refused before they are read, and /metrics closed to strangers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from aaie.api.paging import MAX_OFFSET
from aaie.config import Settings
from tests.api.workflow_support import make_assignment
from tests.conftest import Account

HUGE = 10**30  # beyond 64-bit integers: was a 500 from the database driver


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/api/users", "admin"),
        ("/api/assignments", "teacher"),
        ("/api/submissions", "teacher"),
        ("/api/audit", "admin"),
    ],
)
def test_paging_parameters_are_bounded(
    client: TestClient, accounts: dict[str, Account], path: str, who: str
) -> None:
    headers = accounts[who].headers
    for offset in (HUGE, MAX_OFFSET + 1, -1):
        response = client.get(path, params={"offset": offset}, headers=headers)
        assert response.status_code == 422, (path, offset, response.text)
        assert response.json()["error"]["code"] == "validation_error"
    assert client.get(path, params={"offset": MAX_OFFSET}, headers=headers).status_code == 200
    assert client.get(path, params={"limit": HUGE}, headers=headers).status_code == 422


def test_put_assignment_with_null_params_keeps_them(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"].headers
    aid = make_assignment(client, teacher, params={"mode": "async"})
    response = client.put(
        f"/api/assignments/{aid}",
        json={"due_at": 0, "params": None, "prompt_text": None},
        headers=teacher,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["params"]["mode"] == "async"  # null: left as it was
    assert body["due_at"].startswith("1970-01-01")


# --- request bodies: refused before they are read -------------------------------------------


async def _asgi_call(
    app: FastAPI, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
) -> tuple[int, dict[str, Any], int]:
    """Drive the ASGI app directly; returns (status, JSON body, chunks the app pulled)."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= len(chunks):
            await asyncio.sleep(3600)  # a client that never finishes its body
        pulled += 1
        return {
            "type": "http.request",
            "body": chunks[pulled - 1],
            "more_body": pulled < len(chunks),
        }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), pulled


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/api/auth/login", b"application/json"),
        ("POST", "/llm/evaluate-all", b"application/json"),
        ("PUT", "/api/assignments/00000000-0000-0000-0000-000000000000", b"application/json"),
        ("POST", "/api/files", b"multipart/form-data; boundary=x"),
    ],
)
def test_a_declared_oversize_body_is_refused_without_reading_it(
    app: FastAPI, method: str, path: str, content_type: bytes
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", b"209715200")]  # 200 MB
    status, body, pulled = asyncio.run(_asgi_call(app, method, path, headers, [b"{"]))
    assert status == 413 and body["error"]["code"] == "payload_too_large"
    assert pulled == 0  # not one byte was read


def test_a_chunked_body_is_cut_off_at_the_limit(app: FastAPI, settings: Settings) -> None:
    limit = settings.json_body_limit
    chunk = b" " * 65536
    chunks = [chunk] * (limit // len(chunk) + 50)  # 50 chunks past the limit
    headers = [(b"content-type", b"application/json")]
    status, body, pulled = asyncio.run(_asgi_call(app, "POST", "/api/auth/login", headers, chunks))
    assert status == 413 and body["error"]["code"] == "payload_too_large"
    assert pulled * len(chunk) <= limit + len(chunk)  # stopped at the chunk that crossed it


def test_bodies_within_the_limit_still_work(client: TestClient, settings: Settings) -> None:
    response = client.post("/api/auth/login", json={"email": "x@example.edu", "password": "p" * 12})
    assert response.status_code == 401
    big = {"email": "x@example.edu", "password": "p" * (settings.json_body_limit + 10)}
    response = client.post("/api/auth/login", json=big)
    assert response.status_code == 413
    assert response.json()["error"]["request_id"] == response.headers["x-request-id"]


# --- /metrics ----------------------------------------------------------------------------------


def _metrics_status(app: FastAPI, client_host: str, headers: dict[str, str] | None = None) -> int:
    transport = httpx.ASGITransport(app=app, client=(client_host, 5000))

    async def get() -> int:
        async with httpx.AsyncClient(transport=transport, base_url="http://aaie") as http:
            return (await http.get("/metrics", headers=headers)).status_code

    return asyncio.run(get())


def test_metrics_are_for_allowed_addresses_or_the_token(app: FastAPI, settings: Settings) -> None:
    assert _metrics_status(app, "127.0.0.1") == 200  # loopback by default
    assert _metrics_status(app, "::1") == 200
    assert _metrics_status(app, "203.0.113.9") == 403
    settings.metrics_allow = ["10.0.0.0/8"]
    assert _metrics_status(app, "10.1.2.3") == 200
    assert _metrics_status(app, "127.0.0.1") == 403
    settings.metrics_token = SecretStr("s3cret-scrape")
    ok = {"Authorization": "Bearer s3cret-scrape"}
    assert _metrics_status(app, "203.0.113.9", ok) == 200
    assert _metrics_status(app, "203.0.113.9", {"Authorization": "Bearer wrong"}) == 403


def test_metrics_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="metrics_allow"):
        Settings(metrics_allow="10.0.0.0/8,not-a-network", _env_file=None)  # type: ignore[call-arg]
    parsed = Settings(metrics_allow="10.0.0.0/8, ::1", _env_file=None)  # type: ignore[call-arg]
    assert parsed.metrics_allow == ["10.0.0.0/8", "::1"]

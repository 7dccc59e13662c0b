"""The engine routes with an OpenAI-compatible provider configured: a real HTTP server on
loopback (tests/engine/llm_server.py), SSE streaming, and fallback to the built-in engine."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from aaie.config import Settings
from tests.conftest import Account
from tests.engine.llm_server import FakeLLMServer

ESSAY = (
    "Computers help students learn about faraway places. For example, I used maps online to "
    "study the rivers of Brazil for a science project. However, people should still spend "
    "time outside with their families. My neighbour Tom Baker says the same thing.\n\n"
    "In conclusion, computers are useful when we use them in balance with exercise and nature."
)
PROMPT = "Write a letter to your local newspaper about the effects computers have on people."
REPLY = {
    "text": "You make a clear case with a concrete example.",
    "strengths": ["You use a specific example about rivers."],
    "next_steps": [
        {
            "text": "Explain why this matters to readers of the newspaper.",
            "quote": "Computers help students learn about faraway places.",
            "criterion": "Relevance",
        },
        {
            "text": "Add a second example to support your conclusion.",
            "quote": "In conclusion, computers are useful when we use them in balance with "
            "exercise and nature.",
            "criterion": "Structure",
        },
    ],
}


@pytest.fixture
def server(settings: Settings) -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as srv:
        settings.llm_base_url, settings.llm_model = srv.base_url, "fake-model"
        settings.llm_max_retries, settings.llm_timeout_s = 0, 5.0
        yield srv


def _pieces(obj: dict, size: int = 9) -> list[str]:
    raw = json.dumps(obj)
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def test_feedback_streams_as_server_sent_events(
    client: TestClient, accounts: dict[str, Account], server: FakeLLMServer
) -> None:
    # First call (rubric) fails upstream and falls back; the second streams the feedback.
    server.script = [("status", 500), ("stream", _pieces(REPLY))]
    with client.stream(
        "POST",
        "/llm/generate-feedback",
        json={"student_submission": ESSAY, "prompt_text": PROMPT},
        headers={**accounts["teacher"].headers, "Accept": "text/event-stream"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events = [block for block in body.split("\n\n") if block.strip()]
    names = [b.split("\n")[0].removeprefix("event: ") for b in events]
    assert names[-1] == "result" and "delta" in names
    deltas = "".join(
        json.loads(b.split("data: ", 1)[1])["text"] for b in events if b.startswith("event: delta")
    )
    assert deltas == REPLY["text"]
    result = json.loads(events[-1].split("data: ", 1)[1])["data"]
    assert result["engine"] == "llm:fake-model"
    # Text was redacted before it left the process.
    assert all("Tom Baker" not in json.dumps(r) for r in server.received)


def test_provider_fault_falls_back_to_the_builtin_engine(
    client: TestClient, accounts: dict[str, Account], server: FakeLLMServer
) -> None:
    server.script = [("text", "this is {not json")]
    response = client.post(
        "/llm/rubric-score",
        json={"student_submission": ESSAY, "prompt_text": PROMPT},
        headers=accounts["teacher"].headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["engine"] == "builtin" and body["fallback_reason"]
    assert len(server.received) == 1  # asked once (no retries configured), then fell back

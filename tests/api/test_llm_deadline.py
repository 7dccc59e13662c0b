"""Through the API, a dead LLM server costs each of the first requests one deadline, then the
circuit opens and requests fall back at once, saying why, with a metric (issue 19)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from aaie.config import Settings
from tests.conftest import Account
from tests.engine.llm_server import FakeLLMServer


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


def test_through_the_api_one_dead_server_does_not_slow_every_request(
    client: TestClient,
    accounts: dict[str, Account],
    settings: Settings,
    llm: FakeLLMServer,
) -> None:
    llm.script = [("hang", 60)]
    settings.llm_base_url, settings.llm_model = llm.base_url, "hanging-model"
    settings.llm_timeout_s, settings.llm_max_retries = 30.0, 2
    settings.llm_deadline_s, settings.llm_breaker_failures = 2.0, 2
    body = {
        "student_submission": "Computers help students learn. " * 20,
        "prompt_text": "Write about computers.",
    }
    headers = accounts["teacher"].headers
    took = []
    reasons = []
    for _ in range(4):
        started = time.monotonic()
        response = client.post("/llm/rubric-score", json=body, headers=headers)
        took.append(time.monotonic() - started)
        assert response.status_code == 200
        assert response.json()["engine"] == "builtin"
        reasons.append(response.json()["fallback_reason"])
    assert "deadline" in reasons[0] and "deadline" in reasons[1]
    assert "skipped for a cool-down" in reasons[2] and "skipped" in reasons[3]
    # The first request also loads the built-in models; the second costs the deadline (2 s,
    # not 30 s x 3 tries) plus the built-in engine, the next ones do not wait for the server.
    assert 2.0 <= took[1] < 8.0
    assert max(took[2:]) < took[1] - 1.0

    settings.metrics_token = SecretStr("t")
    metrics = client.get("/metrics", headers={"Authorization": "Bearer t"}).text
    assert 'aaie_llm_calls_total{outcome="skipped"}' in metrics
    assert "aaie_llm_circuit_opened_total" in metrics

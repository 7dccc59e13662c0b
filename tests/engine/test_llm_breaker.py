"""A dead or hanging LLM server costs one deadline, then nothing (issue 19): the total deadline
of a call and the circuit breaker (through the API: tests/api/test_llm_deadline.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from aaie.engine.providers import CircuitBreaker, CircuitOpen, LLMError, LLMProvider
from tests.engine.llm_server import FakeLLMServer


class Reply(BaseModel):
    answer: str


MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


def test_a_hanging_server_costs_one_deadline_not_timeout_times_tries(llm: FakeLLMServer) -> None:
    llm.script = [("hang", 60)]
    provider = LLMProvider(llm.base_url, "m", timeout_s=30, max_retries=2, deadline_s=1.0)
    started = time.monotonic()
    with pytest.raises(LLMError, match="deadline of 1s"):
        provider.chat_json(MESSAGES, Reply)
    assert time.monotonic() - started < 2.5  # was 30 s x 3 tries


def test_no_retry_starts_that_cannot_finish_in_time(llm: FakeLLMServer) -> None:
    llm.script = [("status", 503)]
    provider = LLMProvider(
        llm.base_url, "m", timeout_s=5, max_retries=5, backoff_s=0.4, deadline_s=1.0
    )
    started = time.monotonic()
    with pytest.raises(LLMError, match="HTTP 503"):
        provider.chat_json(MESSAGES, Reply)
    assert time.monotonic() - started < 1.2
    assert 1 <= len(llm.received) < 6


def test_the_breaker_skips_a_failing_server_then_probes_it(llm: FakeLLMServer) -> None:
    now = [1000.0]
    events: list[str] = []
    breaker = CircuitBreaker(2, 60.0, clock=lambda: now[0], on_event=events.append)
    provider = LLMProvider(llm.base_url, "m", max_retries=0, breaker=breaker)
    llm.script = [("status", 500)]
    for _ in range(2):
        with pytest.raises(LLMError, match="HTTP 500"):
            provider.chat_json(MESSAGES, Reply)
    assert breaker.is_open and events == ["failure", "failure", "opened"]
    asked = len(llm.received)
    with pytest.raises(CircuitOpen, match="skipped for a cool-down"):
        provider.chat_json(MESSAGES, Reply)
    assert len(llm.received) == asked  # the server was not asked
    now[0] += 61  # cool-down over: one probe goes through
    llm.script = [("json", {"answer": "back"})]
    assert provider.chat_json(MESSAGES, Reply).answer == "back"
    assert not breaker.is_open and events[-2:] == ["skipped", "success"]


def test_a_failed_probe_opens_the_circuit_again(llm: FakeLLMServer) -> None:
    now = [0.0]
    breaker = CircuitBreaker(1, 10.0, clock=lambda: now[0])
    provider = LLMProvider(llm.base_url, "m", max_retries=0, breaker=breaker)
    llm.script = [("status", 500)]
    with pytest.raises(LLMError):
        provider.chat_json(MESSAGES, Reply)
    now[0] = 11
    with pytest.raises(LLMError, match="HTTP 500"):  # the probe fails
        provider.chat_json(MESSAGES, Reply)
    with pytest.raises(CircuitOpen):
        provider.chat_json(MESSAGES, Reply)

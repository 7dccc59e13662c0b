"""The OpenAI-compatible provider against a real HTTP server on loopback (no mocked client)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from aaie.engine.feedback import generate_feedback
from aaie.engine.feedback.stream import stream_feedback
from aaie.engine.providers import LLMError, LLMProvider
from aaie.engine.rubric import rubric_score

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from llm_server import FakeLLMServer

ESSAY = (
    "My name is Mia Delgado and you can write to me at mia.delgado@example.com.\n\n"
    "Computers help students learn about faraway places. For example, I used maps online to "
    "study the rivers of Brazil for a science project. However, people should still spend "
    "time outside with their families.\n\n"
    "In conclusion, computers are useful when we use them in balance with exercise and nature."
)
PROMPT = "Write a letter to your local newspaper about the effects computers have on people."


class Answer(BaseModel):
    answer: int


def rubric_reply(names: list[str]) -> dict:
    return {
        "criteria": {n: {"label": "Good", "score": 0.6, "evidence": ["ok"]} for n in names},
        "overall_score": 0.6,
    }


def feedback_reply(**extra: str) -> dict:
    return {
        "text": extra.get("text", "You make a clear case with a concrete example."),
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
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as srv:
        yield srv


def provider(srv: FakeLLMServer, **kw: float) -> LLMProvider:
    opts = {"timeout_s": 2.0, "max_retries": 2, "backoff_s": 0.01, **kw}
    return LLMProvider(srv.base_url, "test-model", api_key="sk-test", **opts)  # type: ignore[arg-type]


def test_valid_json_is_parsed_and_request_is_openai_shaped(server: FakeLLMServer) -> None:
    server.script = [("json", {"answer": 42})]
    p = provider(server)
    got = p.chat_json([{"role": "user", "content": "hi"}], Answer)
    assert got.answer == 42 and p.last_attempts == 1
    body = server.received[0]
    assert body["model"] == "test-model"
    assert body["response_format"]["type"] == "json_schema"
    assert server.headers[0]["Authorization"] == "Bearer sk-test"


def test_json_in_code_fence_is_accepted(server: FakeLLMServer) -> None:
    server.script = [("text", 'Sure!\n```json\n{"answer": 7}\n```')]
    assert provider(server).chat_json([], Answer).answer == 7


def test_5xx_is_retried_then_succeeds(server: FakeLLMServer) -> None:
    server.script = [("status", 503), ("status", 500), ("json", {"answer": 1})]
    p = provider(server)
    assert p.chat_json([], Answer).answer == 1
    assert p.last_attempts == 3 and len(server.received) == 3


def test_malformed_json_exhausts_bounded_retries(server: FakeLLMServer) -> None:
    server.script = [("text", '{"answer": ')]
    p = provider(server, max_retries=2)
    with pytest.raises(LLMError, match="not JSON"):
        p.chat_json([], Answer)
    assert len(server.received) == 3


def test_schema_mismatch_is_an_error(server: FakeLLMServer) -> None:
    server.script = [("json", {"answer": "many"})]
    with pytest.raises(LLMError, match="schema"):
        provider(server, max_retries=0).chat_json([], Answer)


def test_hanging_server_times_out_and_is_retried(server: FakeLLMServer) -> None:
    server.script = [("hang", 10.0)]
    p = provider(server, timeout_s=0.3, max_retries=1)
    with pytest.raises(LLMError, match="timeout"):
        p.chat_json([], Answer)
    assert p.last_attempts == 2


def test_client_errors_are_not_retried(server: FakeLLMServer) -> None:
    server.script = [("status", 401)]
    p = provider(server)
    with pytest.raises(LLMError, match="401"):
        p.chat_json([], Answer)
    assert len(server.received) == 1


# ---------------------------------------------------------------- rubric through the provider


def test_rubric_via_llm_sends_custom_rubric_verbatim_and_redacted_text(
    server: FakeLLMServer,
) -> None:
    rubric = {
        "criteria": [
            {
                "name": "Voice",
                "description": "Writes with a personal, lively voice",
                "bands": {"Excellent": "Vivid and personal throughout"},
            }
        ]
    }
    server.script = [("json", rubric_reply(["Voice"]))]
    result = rubric_score(ESSAY, PROMPT, rubric, provider=provider(server))
    assert result.engine == "llm:test-model" and result.fallback_reason is None
    assert result.compact == {"Voice": "Good"}
    sent = json.dumps(server.received[0])
    assert "Writes with a personal, lively voice" in sent
    assert "Vivid and personal throughout" in sent
    # Redaction happened before the text left the process.
    assert "mia.delgado@example.com" not in sent and "Delgado" not in sent
    assert "rivers of Brazil" in sent


def test_rubric_falls_back_to_builtin_on_server_errors(server: FakeLLMServer) -> None:
    server.script = [("status", 500)]
    result = rubric_score(ESSAY, PROMPT, provider=provider(server, max_retries=1))
    assert result.engine == "builtin"
    assert result.fallback_reason and "HTTP 500" in result.fallback_reason
    assert {c.name for c in result.criteria} == {
        "Structure",
        "Clarity",
        "Relevance",
        "AcademicWriting",
    }


def test_rubric_reply_missing_a_criterion_is_rejected(server: FakeLLMServer) -> None:
    server.script = [("json", rubric_reply(["Structure", "Clarity"]))]
    result = rubric_score(ESSAY, PROMPT, provider=provider(server, max_retries=1))
    assert result.engine == "builtin" and "schema" in (result.fallback_reason or "")
    assert len(server.received) == 2


def test_no_redactor_means_nothing_is_sent(
    server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aaie.engine.providers import redaction

    def broken(text: str) -> Any:
        raise OSError("spaCy model missing")

    server.script = [("json", rubric_reply(["Structure"]))]
    monkeypatch.setattr(redaction, "redact", broken)  # the redactor cannot run
    result = rubric_score(ESSAY, PROMPT, provider=provider(server))
    assert result.engine == "builtin" and "redaction" in (result.fallback_reason or "")
    assert server.received == []


# ---------------------------------------------------------------- feedback through the provider


def test_feedback_via_llm_is_grounded_in_the_essay(server: FakeLLMServer) -> None:
    server.script = [("json", feedback_reply())]
    fb = generate_feedback(ESSAY, PROMPT, provider=provider(server))
    assert fb.engine == "llm:test-model"
    assert len(fb.next_steps) == 2
    for step in fb.next_steps:
        assert ESSAY[step.start : step.end] == step.quote


def test_llm_strengths_that_praise_pasted_chat_text_are_dropped(server: FakeLLMServer) -> None:
    """The LLM is not told what was pasted (it could tell the student); its praise of words
    only the pasted passage holds is dropped, praise of the student's own writing stays."""
    pasted = "Consequently, intergenerational dialogue fosters remarkable societal cohesion."
    essay = ESSAY + "\n\n" + pasted
    start = essay.index(pasted)
    reply = feedback_reply()
    reply["strengths"] = [
        "You use a specific example about rivers.",
        "Your vocabulary is mature, for example 'intergenerational' and 'cohesion'.",
        f'You end strongly: "{pasted}"',
    ]
    server.script = [("json", reply), ("json", reply)]
    kept = generate_feedback(essay, PROMPT, provider=provider(server))
    assert len(kept.strengths) == 3  # nothing was marked as copied: all three stay
    fb = generate_feedback(
        essay, PROMPT, provider=provider(server), copied=[(start, start + len(pasted))]
    )
    assert fb.engine != "builtin" and fb.strengths == ["You use a specific example about rivers."]
    assert "intergenerational" not in fb.text


def test_feedback_that_leaks_teacher_only_results_is_rejected(server: FakeLLMServer) -> None:
    server.script = [("json", feedback_reply(text="The AI detector flagged parts of this."))]
    fb = generate_feedback(ESSAY, PROMPT, provider=provider(server, max_retries=1))
    assert fb.engine == "builtin"
    assert "teacher-only" in (fb.fallback_reason or "")
    assert "detector" not in fb.text.lower()


def test_feedback_with_invented_quotes_falls_back(server: FakeLLMServer) -> None:
    reply = feedback_reply()
    for step in reply["next_steps"]:
        step["quote"] = "Dinosaurs roamed the ancient swamps of a distant continent."
    server.script = [("json", reply)]
    fb = generate_feedback(ESSAY, PROMPT, provider=provider(server, max_retries=0))
    assert fb.engine == "builtin" and "quote" in (fb.fallback_reason or "")


# ---------------------------------------------------------------- streaming


def _pieces(obj: dict, size: int = 7) -> list[str]:
    raw = json.dumps(obj)
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def test_stream_yields_text_deltas_then_the_validated_result(server: FakeLLMServer) -> None:
    reply = feedback_reply(text='Nice "balance" argument.')
    server.script = [("stream", _pieces(reply))]

    async def collect() -> list[dict]:
        return [e async for e in stream_feedback(provider(server), ESSAY, PROMPT)]

    events = asyncio.run(collect())
    deltas = "".join(e["text"] for e in events if e["event"] == "delta")
    assert deltas == 'Nice "balance" argument.'
    final = events[-1]
    assert final["event"] == "result" and final["data"]["engine"] == "llm:test-model"
    assert server.received[0]["stream"] is True


def test_stream_consumer_leaving_cancels_the_upstream_request(server: FakeLLMServer) -> None:
    pieces = ['{"text": "Hello', *[" word"] * 400, '"}']
    server.script = [("stream", pieces, 0.01)]

    async def first_delta_then_leave() -> str:
        gen = stream_feedback(provider(server), ESSAY, PROMPT)
        event = await gen.__anext__()
        await gen.aclose()
        return event["text"]

    assert asyncio.run(first_delta_then_leave()).startswith("Hello")
    assert server.disconnected.wait(5.0), "upstream request was not closed"


def test_stream_falls_back_to_builtin_on_5xx(server: FakeLLMServer) -> None:
    server.script = [("status", 502)]

    async def collect() -> list[dict]:
        return [e async for e in stream_feedback(provider(server, max_retries=1), ESSAY, PROMPT)]

    events = asyncio.run(collect())
    assert [e["event"] for e in events] == ["result"]
    assert events[0]["data"]["engine"] == "builtin"
    assert "HTTP 502" in events[0]["data"]["fallback_reason"]
    assert len(server.received) == 2

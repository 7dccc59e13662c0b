"""evaluate_all: the result cache, bad inputs, and (when every stage exists) the whole bundle."""

from __future__ import annotations

import time

import pytest

from aaie.engine import ENGINE_VERSION, pipeline
from aaie.engine.detection import AIScore, Classification
from aaie.engine.feedback import Feedback
from aaie.engine.pipeline import ResultCache, cache_key, evaluate_all
from aaie.engine.providers import LLMProvider
from aaie.engine.types import ChatTurn

ESSAY = (
    "Computers help students learn. They make research fast and let families talk across long "
    "distances. However, too much screen time can hurt health, so balance matters."
)
CHAT = [
    ChatTurn(role="user", text="help"),
    ChatTurn(role="ai", text="Computers help students learn."),
]


def test_cache_key_changes_with_every_input() -> None:
    base = cache_key(ESSAY, "p", CHAT, None, 40.0)
    assert base == cache_key(ESSAY, "p", list(CHAT), None, 40.0)
    others = {
        cache_key(ESSAY + " ", "p", CHAT, None, 40.0),
        cache_key(ESSAY, "q", CHAT, None, 40.0),
        cache_key(ESSAY, "p", CHAT[:1], None, 40.0),
        cache_key(ESSAY, "p", CHAT, {"criteria": ["Structure"]}, 40.0),
        cache_key(ESSAY, "p", CHAT, None, 30.0),
    }
    assert base not in others and len(others) == 5


def test_result_cache_lru_and_ttl() -> None:
    cache = ResultCache(maxsize=2, ttl_s=3600)
    a, b, c = (object() for _ in range(3))
    cache.put("a", a)  # type: ignore[arg-type]
    cache.put("b", b)  # type: ignore[arg-type]
    assert cache.get("a") is a  # refreshes "a"
    cache.put("c", c)  # type: ignore[arg-type]
    assert cache.get("b") is None and cache.get("a") is a and cache.get("c") is c
    expired = ResultCache(maxsize=2, ttl_s=0.0)
    expired.put("a", a)  # type: ignore[arg-type]
    assert expired.get("a") is None


def test_identical_call_is_served_from_cache_without_recomputing(monkeypatch) -> None:
    calls = []
    real = pipeline._evaluate

    def counting(*args, **kwargs):
        calls.append(1)
        return pipeline.Evaluation.model_construct(  # a stand-in result: only caching is tested
            engine_version=ENGINE_VERSION, cache_key=args[-1], cached=False, timings_ms={}
        )

    monkeypatch.setattr(pipeline, "_evaluate", counting)
    pipeline.CACHE.clear()
    first = evaluate_all(ESSAY, "prompt", CHAT)
    t0 = time.perf_counter()
    second = evaluate_all(ESSAY, "prompt", [t.model_dump() for t in CHAT])
    elapsed = time.perf_counter() - t0
    assert len(calls) == 1 and not first.cached and second.cached
    assert second.cache_key == first.cache_key
    assert elapsed < 0.05
    evaluate_all(ESSAY, "another prompt", CHAT)
    assert len(calls) == 2
    monkeypatch.setattr(pipeline, "_evaluate", real)


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_text_is_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        evaluate_all(text)


def test_malformed_chat_log_is_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate_all(ESSAY, None, [{"role": "assistant", "text": "hi"}])
    with pytest.raises(ValueError):
        evaluate_all(ESSAY, None, [{"role": "ai"}])


def test_full_bundle_end_to_end() -> None:
    pipeline.CACHE.clear()
    ai = "Computers have transformed the way people communicate and learn in every school."
    essay = ESSAY + " " + ai + " Name: Mia Delgado wrote this."
    ev = evaluate_all(essay, "Write about computers.", [{"role": "ai", "text": ai}])
    assert ev.errors == {}, f"stages failed: {ev.errors}"
    assert ev.engine_version == ENGINE_VERSION and not ev.cached
    assert ev.classification.label in {"Human", "AI", "Hybrid"}
    assert 0 <= ev.ai_score.ai_score <= 100
    assert ev.similarity.chat_pct > 0
    assert any(s.kind == "chat_overlap" for s in ev.highlights.spans)
    assert ev.rubric.criteria and ev.feedback.text
    assert ev.redaction.entity_counts.get("PERSON", 0) >= 1
    for stage in ("similarity", "classify", "rubric", "feedback", "redaction", "total"):
        assert stage in ev.timings_ms
    again = evaluate_all(essay, "Write about computers.", [{"role": "ai", "text": ai}])
    assert again.cached and again.similarity == ev.similarity
    dumped = ev.model_dump(mode="json")
    assert "Mia" not in str(dumped["redaction"])


def test_a_failing_stage_is_reported_and_the_rest_still_runs(monkeypatch) -> None:
    """Isolation logic only: the other areas' stages are replaced by simple stand-ins here."""

    def boom(*args, **kwargs):
        raise RuntimeError("provider down")

    monkeypatch.setattr(
        pipeline, "classify", lambda *a, **k: Classification.model_construct(label="Human")
    )
    monkeypatch.setattr(pipeline, "ai_score", lambda *a, **k: AIScore.model_construct(ai_score=3))
    monkeypatch.setattr(pipeline, "ai_spans", lambda *a, **k: [])
    monkeypatch.setattr(pipeline, "rubric_score", boom)
    monkeypatch.setattr(pipeline, "generate_feedback", lambda *a, **k: Feedback(text="ok"))
    pipeline.CACHE.clear()
    ev = evaluate_all(ESSAY, "prompt", CHAT)
    assert ev.rubric is None and ev.errors["rubric"] == "RuntimeError: provider down"
    assert ev.classification is not None and ev.classification.label == "Human"
    assert ev.feedback == Feedback(text="ok")
    assert ev.similarity is not None and "total" in ev.timings_ms
    assert len(pipeline.CACHE) == 0  # a result with a failed stage is not cached


def test_cache_key_tells_llm_servers_and_models_apart() -> None:
    def key(base_url: str, model: str) -> str:
        return cache_key(ESSAY, "p", CHAT, None, 40.0, LLMProvider(base_url, model))

    same = key("http://a:8000/v1", "m1")
    assert same == key("http://a:8000/v1/", "m1")  # the same server and model
    others = {key("http://b:8000/v1", "m1"), key("http://a:8000/v1", "m2")}
    assert same not in others and len(others) == 2
    assert cache_key(ESSAY, "p", CHAT, None, 40.0) not in others | {same}  # built-in only


def test_a_builtin_fallback_for_a_silent_llm_is_not_cached() -> None:
    pipeline.CACHE.clear()
    silent = LLMProvider("http://127.0.0.1:9/v1", "nobody", timeout_s=0.5, max_retries=0)
    ev = evaluate_all(ESSAY, "Write about computers.", provider=silent)
    assert ev.rubric is not None and ev.rubric.fallback_reason  # the built-in scorer answered
    assert pipeline.fell_back(ev) and not ev.errors
    assert len(pipeline.CACHE) == 0
    again = evaluate_all(ESSAY, "Write about computers.", provider=silent)
    assert not again.cached  # the LLM is asked again next time

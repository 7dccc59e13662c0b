"""evaluate_all: every engine stage in one pass over one shared `TextAnalysis`.

The sentence split, the sentence embeddings and the detector's model pass are computed once
and reused by similarity, detection, highlights, rubric and feedback. Results are cached in a
small in-process LRU with a TTL, keyed by sha256 of (text, prompt, chat log, rubric, threshold,
provider, ENGINE_VERSION): an identical resubmission or a repeated call costs a dict lookup.
Stages of other engine areas are imported lazily, so this module imports cheaply.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from importlib import import_module
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from aaie.engine import ENGINE_VERSION
from aaie.engine.analysis import TextAnalysis
from aaie.engine.highlights import Highlights, detection_spans, merge_spans, similarity_spans
from aaie.engine.similarity import Similarity, prompt_similarity
from aaie.engine.types import ChatTurn, as_chat_log

T = TypeVar("T")


class RedactionSummary(BaseModel):
    """What redaction found (counts per type only: no personal data in the bundle)."""

    entity_counts: dict[str, int] = Field(default_factory=dict)


class Evaluation(BaseModel):
    engine_version: str
    cache_key: str
    cached: bool = False
    classification: Any = None  # detection.Classification
    ai_score: Any = None  # detection.AIScore
    similarity: Similarity
    highlights: Highlights
    rubric: Any = None  # rubric.RubricResult
    feedback: Any = None  # feedback.Feedback
    redaction: RedactionSummary
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ResultCache:
    """Thread-safe LRU cache with a time-to-live, for whole evaluations."""

    def __init__(self, maxsize: int = 256, ttl_s: float = 3600.0) -> None:
        self.maxsize, self.ttl_s = maxsize, ttl_s
        self._items: OrderedDict[str, tuple[float, Evaluation]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Evaluation | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            stored_at, value = item
            if time.monotonic() - stored_at > self.ttl_s:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: str, value: Evaluation) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


CACHE = ResultCache()


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def cache_key(
    text: str,
    prompt_text: str | None,
    chat_log: list[ChatTurn],
    rubric: Any,
    similarity_threshold: float,
    provider: Any = None,
) -> str:
    provider_id = None if provider is None else getattr(provider, "name", type(provider).__name__)
    payload = json.dumps(
        {
            "text": text,
            "prompt": prompt_text,
            "chat_log": [t.model_dump() for t in chat_log],
            "rubric": _jsonable(rubric),
            "threshold": similarity_threshold,
            "provider": str(provider_id) if provider_id is not None else None,
            "engine": ENGINE_VERSION,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _timed(timings: dict[str, float], name: str, fn: Callable[[], T]) -> T:
    t0 = time.perf_counter()
    try:
        return fn()
    finally:
        timings[name] = round((time.perf_counter() - t0) * 1000, 2)


def evaluate_all(
    student_submission: str,
    prompt_text: str | None = None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    rubric: Any = None,
    *,
    similarity_threshold: float = 40.0,
    provider: Any = None,
    use_cache: bool = True,
) -> Evaluation:
    """Classification, AI score, similarity, highlights, rubric, feedback and a redaction
    summary for one submission, with per-stage timings (ms) and the engine version."""
    if not student_submission or not student_submission.strip():
        raise ValueError("student_submission is empty")
    turns = as_chat_log(chat_log)  # raises pydantic.ValidationError on a malformed chat log
    key = cache_key(student_submission, prompt_text, turns, rubric, similarity_threshold, provider)
    if use_cache:
        hit = CACHE.get(key)
        if hit is not None:
            return hit.model_copy(update={"cached": True})
    result = _evaluate(student_submission, prompt_text, turns, rubric, similarity_threshold,
                       provider, key)  # fmt: skip
    if use_cache:
        CACHE.put(key, result)
    return result


def _evaluate(
    text: str,
    prompt_text: str | None,
    turns: list[ChatTurn],
    rubric: Any,
    threshold: float,
    provider: Any,
    key: str,
) -> Evaluation:
    # Other areas' stages, imported on first use (import_module keeps this module importable
    # and type-checkable while an area is still being built).
    detection = import_module("aaie.engine.detection")
    classify, ai_score, ai_spans = detection.classify, detection.ai_score, detection.ai_spans
    rubric_score = import_module("aaie.engine.rubric").rubric_score
    generate_feedback = import_module("aaie.engine.feedback").generate_feedback
    from aaie.engine.redaction import redact

    timings: dict[str, float] = {}
    t_total = time.perf_counter()
    analysis = TextAnalysis(text)
    _timed(timings, "analysis", lambda: analysis.sentence_embeddings)
    similarity = _timed(
        timings,
        "similarity",
        lambda: prompt_similarity(
            text, prompt_text, turns, flag_threshold=threshold, analysis=analysis
        ),
    )
    classification = _timed(
        timings, "classify", lambda: classify(text, prompt_text, turns, analysis=analysis)
    )
    score = _timed(
        timings, "ai_score", lambda: ai_score(text, prompt_text, turns, analysis=analysis)
    )
    spans = _timed(
        timings, "ai_spans", lambda: ai_spans(text, prompt_text, turns, analysis=analysis)
    )
    highlights = _timed(
        timings,
        "highlights",
        lambda: Highlights(
            spans=merge_spans(similarity_spans(similarity) + detection_spans(spans))
        ),
    )
    rubric_result = _timed(
        timings,
        "rubric",
        lambda: rubric_score(text, prompt_text, rubric, analysis=analysis, provider=provider),
    )
    feedback = _timed(
        timings,
        "feedback",
        lambda: generate_feedback(
            text, prompt_text, rubric_result, analysis=analysis, provider=provider
        ),
    )
    # The summary covers the submission; the chat log is redacted where it leaves the process
    # (the LLM provider calls `redact(text, chat_log)` itself), which keeps this stage cheap.
    redaction = _timed(timings, "redaction", lambda: redact(text))
    summary = RedactionSummary(entity_counts=_counts(e.type for e in redaction.entities))
    timings["total"] = round((time.perf_counter() - t_total) * 1000, 2)
    return Evaluation(
        engine_version=ENGINE_VERSION,
        cache_key=key,
        classification=classification,
        ai_score=score,
        similarity=similarity,
        highlights=highlights,
        rubric=rubric_result,
        feedback=feedback,
        redaction=summary,
        timings_ms=timings,
    )


def _counts(types: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in types:
        out[t] = out.get(t, 0) + 1
    return out

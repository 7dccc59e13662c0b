"""evaluate_all: every engine stage in one pass over one shared `TextAnalysis`.

The sentence split, the sentence embeddings and the detector's model pass are computed once
and reused by similarity, detection, highlights, rubric and feedback. Results are cached in a
small in-process LRU with a TTL, keyed by sha256 of (text, prompt, chat log, rubric, threshold,
calibration, the LLM provider's server + model + request settings, ENGINE_VERSION): an identical
resubmission or a repeated call costs a dict lookup. A result with a failed stage, or one where
the built-in engine stood in for an unanswering LLM, is not cached: the next call asks again.
Importing this module loads no model: each model loads on first use, once per process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from aaie.engine import ENGINE_VERSION
from aaie.engine.analysis import TextAnalysis
from aaie.engine.detection import AIScore, Classification, ai_score, ai_spans, classify
from aaie.engine.feedback import Feedback, generate_feedback
from aaie.engine.highlights import (
    Highlights,
    detection_spans,
    merge_spans,
    similarity_spans,
)
from aaie.engine.providers import LLMProvider
from aaie.engine.redaction import redact
from aaie.engine.rubric import rubric_score
from aaie.engine.rubric.calibration import Calibration
from aaie.engine.rubric.types import RubricResult, RubricSpec
from aaie.engine.similarity import Similarity, prompt_similarity
from aaie.engine.types import ChatTurn, as_chat_log

T = TypeVar("T")
logger = logging.getLogger(__name__)


class RedactionSummary(BaseModel):
    """What redaction found (counts per type only: no personal data in the bundle)."""

    entity_counts: dict[str, int] = Field(default_factory=dict)


class Evaluation(BaseModel):
    engine_version: str
    cache_key: str
    cached: bool = False
    classification: Classification | None = None
    ai_score: AIScore | None = None
    similarity: Similarity | None = None
    highlights: Highlights = Field(default_factory=Highlights)
    rubric: RubricResult | None = None
    feedback: Feedback | None = None
    redaction: RedactionSummary
    timings_ms: dict[str, float] = Field(default_factory=dict)
    errors: dict[str, str] = Field(default_factory=dict)  # stage -> why it failed (None result)


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

    def discard(self, key: str) -> None:
        """Forget one result (a deleted submission must not live on in memory)."""
        with self._lock:
            self._items.pop(key, None)

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
    provider: LLMProvider | None = None,
    calibration: Any = None,
) -> str:
    provider_id = None if provider is None else provider.identity
    extra = {} if calibration is None else {"calibration": _jsonable(calibration)}
    payload = json.dumps(
        {
            **extra,
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


class _Run:
    """Per-stage timings, and stage failures kept apart so one broken stage (say, an LLM
    provider) does not take the whole bundle down: its field stays None and `errors` says why."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.errors: dict[str, str] = {}

    def stage(self, name: str, fn: Callable[[], T]) -> T | None:
        t0 = time.perf_counter()
        try:
            return fn()
        except Exception as exc:  # a failed stage is reported, not raised
            logger.exception("evaluate_all stage %s failed", name)
            self.errors[name] = f"{type(exc).__name__}: {exc}"
            return None
        finally:
            self.timings[name] = round((time.perf_counter() - t0) * 1000, 2)


def evaluate_all(
    student_submission: str,
    prompt_text: str | None = None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    rubric: RubricSpec | dict[str, Any] | list[Any] | None = None,
    *,
    similarity_threshold: float = 40.0,
    provider: LLMProvider | None = None,
    use_cache: bool = True,
    calibration: Calibration | None = None,
) -> Evaluation:
    """Classification, AI score, similarity, highlights, rubric, feedback and a redaction
    summary for one submission, with per-stage timings (ms) and the engine version.
    `calibration`: the assignment's rubric calibration (`rubric.calibration.Calibration`)."""
    if not student_submission or not student_submission.strip():
        raise ValueError("student_submission is empty")
    turns = as_chat_log(chat_log)  # raises pydantic.ValidationError on a malformed chat log
    key = cache_key(
        student_submission, prompt_text, turns, rubric, similarity_threshold, provider, calibration
    )
    if use_cache:
        hit = CACHE.get(key)
        if hit is not None:
            return hit.model_copy(update={"cached": True})
    result = _evaluate(student_submission, prompt_text, turns, rubric, similarity_threshold,
                       provider, key, calibration)  # fmt: skip
    if use_cache and not result.errors and not fell_back(result):
        CACHE.put(key, result)  # a failed stage, or an LLM that did not answer, may next time
    return result


def fell_back(evaluation: Evaluation) -> bool:
    """True when the built-in engine answered for an LLM provider that failed."""
    return any(
        part is not None and part.fallback_reason is not None
        for part in (evaluation.rubric, evaluation.feedback)
    )


def _evaluate(
    text: str,
    prompt_text: str | None,
    turns: list[ChatTurn],
    rubric: Any,
    threshold: float,
    provider: LLMProvider | None,
    key: str,
    calibration: Calibration | None = None,
) -> Evaluation:
    run = _Run()
    t_total = time.perf_counter()
    analysis = TextAnalysis(text)
    run.stage("analysis", lambda: analysis.sentence_embeddings)
    similarity = run.stage(
        "similarity",
        lambda: prompt_similarity(
            text, prompt_text, turns, flag_threshold=threshold, analysis=analysis
        ),
    )
    classification = run.stage(
        "classify", lambda: classify(text, prompt_text, turns, analysis=analysis)
    )
    score = run.stage("ai_score", lambda: ai_score(text, prompt_text, turns, analysis=analysis))
    spans = run.stage("ai_spans", lambda: ai_spans(text, prompt_text, turns, analysis=analysis))
    # Matched to the prompt or an AI chat turn: highlighted for the teacher, and left out of
    # what feedback praises.
    copied = similarity_spans(similarity) if similarity else []
    highlights = run.stage(
        "highlights",
        lambda: Highlights(spans=merge_spans(copied + detection_spans(spans or []))),
    )
    rubric_result = run.stage(
        "rubric",
        lambda: rubric_score(
            text, prompt_text, rubric, analysis=analysis, provider=provider, calibration=calibration
        ),
    )
    feedback = run.stage(
        "feedback",
        lambda: generate_feedback(
            text,
            prompt_text,
            rubric_result,
            analysis=analysis,
            provider=provider,
            copied=[(m.start, m.end) for m in copied],
        ),
    )
    # The summary covers the submission; the chat log is redacted where it leaves the process
    # (the LLM provider calls `redact(text, chat_log)` itself), which keeps this stage cheap.
    redaction = run.stage("redaction", lambda: redact(text))
    run.timings["total"] = round((time.perf_counter() - t_total) * 1000, 2)
    return Evaluation(
        engine_version=ENGINE_VERSION,
        cache_key=key,
        classification=classification,
        ai_score=score,
        similarity=similarity,
        highlights=highlights or Highlights(),
        rubric=rubric_result,
        feedback=feedback,
        redaction=RedactionSummary(
            entity_counts=_counts(e.type for e in redaction.entities) if redaction else {}
        ),
        timings_ms=run.timings,
        errors=run.errors,
    )


def _counts(types: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in types:
        out[t] = out.get(t, 0) + 1
    return out

"""`/llm/*`: the engine over HTTP (teacher and admin only; students cannot probe the detector).

Handlers are plain `def`, so FastAPI runs the CPU-bound engine in its thread pool and the
event loop stays free. Each handler checks the size limit (413) and hands over to the engine.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse

from aaie.api.deps import SettingsDep, StaffUser, rate_limited
from aaie.api.errors import error_responses
from aaie.api.schemas.llm import EngineRequest, EvaluateAllRequest, RedactRequest, RubricRequest
from aaie.engine import detection, feedback, highlights, pipeline, redaction, rubric, similarity
from aaie.engine.analysis import TextAnalysis
from aaie.engine.feedback.stream import stream_feedback
from aaie.services.engine import (
    check_size,
    provider_from_settings,
    refuse_unsupported_language,
    validated_rubric,
)

router = APIRouter(
    prefix="/llm",
    tags=["engine"],
    dependencies=[Depends(rate_limited("llm"))],
    responses=error_responses(400, 401, 403, 413, 422, 429),
)


@router.post("/classify", response_model=detection.Classification)
def classify(body: EngineRequest, _: StaffUser, settings: SettingsDep) -> detection.Classification:
    """Human / AI / Hybrid with calibrated confidence, per-sentence probabilities and reasons."""
    check_size(body.total_chars(), settings)
    refuse_unsupported_language(body.student_submission)
    return detection.classify(body.student_submission, body.prompt_text, body.chat_log)


@router.post("/ai-score", response_model=detection.AIScore)
def ai_score(body: EngineRequest, _: StaffUser, settings: SettingsDep) -> detection.AIScore:
    """0–100 calibrated AI likelihood, the policy threshold and its measured false-positive rate."""
    check_size(body.total_chars(), settings)
    refuse_unsupported_language(body.student_submission)
    return detection.ai_score(body.student_submission, body.prompt_text, body.chat_log)


@router.post("/highlight-spans", response_model=highlights.Highlights)
def highlight_spans(
    body: EngineRequest, _: StaffUser, settings: SettingsDep
) -> highlights.Highlights:
    """Sorted, non-overlapping `ai` / `prompt_overlap` / `chat_overlap` spans (char offsets)."""
    check_size(body.total_chars(), settings)
    refuse_unsupported_language(body.student_submission)
    return highlights.highlight_spans(body.student_submission, body.prompt_text, body.chat_log)


@router.post("/prompt-similarity", response_model=similarity.Similarity)
def prompt_similarity(
    body: EngineRequest, _: StaffUser, settings: SettingsDep
) -> similarity.Similarity:
    """% of the text overlapping the prompt and the chat log's AI turns, with the matches."""
    check_size(body.total_chars(), settings)
    return similarity.prompt_similarity(
        body.student_submission,
        body.prompt_text,
        body.chat_log,
        flag_threshold=settings.similarity_flag_pct,
    )


@router.post("/rubric-score", response_model=rubric.RubricResult)
def rubric_score(body: RubricRequest, _: StaffUser, settings: SettingsDep) -> rubric.RubricResult:
    """Structure, Clarity, Relevance, AcademicWriting (or a custom rubric) with evidence."""
    check_size(body.total_chars(), settings)
    spec = validated_rubric(body.rubric)
    return rubric.rubric_score(
        body.student_submission, body.prompt_text, spec, provider=provider_from_settings(settings)
    )


@router.post(
    "/generate-feedback",
    response_model=feedback.Feedback,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "JSON, or Server-Sent Events when asked for "
            "`Accept: text/event-stream` (with an LLM provider)",
        }
    },
)
def generate_feedback(
    body: RubricRequest,
    request: Request,
    _: StaffUser,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> feedback.Feedback | StreamingResponse:
    """Student-facing, actionable feedback tied to the prompt and quoting the essay."""
    check_size(body.total_chars(), settings)
    spec = validated_rubric(body.rubric)
    provider = provider_from_settings(settings)
    # One analysis for both steps: the essay's sentences are embedded once, not twice.
    analysis = TextAnalysis(body.student_submission)
    scored = rubric.rubric_score(
        body.student_submission, body.prompt_text, spec, provider=provider, analysis=analysis
    )
    if accept and "text/event-stream" in accept:
        events = stream_feedback(
            provider, body.student_submission, body.prompt_text, scored, analysis=analysis
        )
        return StreamingResponse(
            _sse(events, request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    return feedback.generate_feedback(
        body.student_submission, body.prompt_text, scored, provider=provider, analysis=analysis
    )


async def _sse(events: AsyncIterator[dict[str, object]], request: Request) -> AsyncIterator[str]:
    try:
        async for event in events:
            if await request.is_disconnected():
                break  # closing the generator below cancels the upstream LLM request
            name = str(event.get("event", "message"))
            payload = {k: v for k, v in event.items() if k != "event"}
            yield f"event: {name}\ndata: {json.dumps(payload, default=str)}\n\n"
    finally:
        await events.aclose()  # type: ignore[attr-defined]


@router.post("/redact", response_model=redaction.Redaction)
def redact(body: RedactRequest, _: StaffUser, settings: SettingsDep) -> redaction.Redaction:
    """PII replaced by typed, consistent placeholders, with entity offsets into the original."""
    check_size(body.total_chars(), settings)
    return redaction.redact(body.text, body.chat_log)


@router.post("/evaluate-all", response_model=pipeline.Evaluation)
def evaluate_all(
    body: EvaluateAllRequest, _: StaffUser, settings: SettingsDep
) -> pipeline.Evaluation:
    """Everything above in one pass, sharing sentence splits, embeddings and model passes."""
    check_size(body.total_chars(), settings)
    spec = validated_rubric(body.rubric)
    threshold = (
        body.similarity_flag_pct
        if body.similarity_flag_pct is not None
        else settings.similarity_flag_pct
    )
    return pipeline.evaluate_all(
        body.student_submission,
        body.prompt_text,
        body.chat_log,
        spec,
        similarity_threshold=threshold,
        provider=provider_from_settings(settings),
    )

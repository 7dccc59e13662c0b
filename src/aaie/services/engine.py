"""The bridge from the service to the pure engine: settings → provider, size limits, rubrics."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from aaie.config import Settings
from aaie.engine import embeddings
from aaie.engine.language import SUPPORTED_LANGUAGES, identify_language
from aaie.engine.providers import CircuitBreaker, LLMProvider
from aaie.engine.providers.openai_compat import ResponseFormat
from aaie.engine.rubric import RubricSpec, parse_rubric
from aaie.errors import PayloadTooLarge, UnsupportedLanguage, ValidationFailed


def configure_engine(settings: Settings) -> None:
    """Hand the engine the settings it uses (it reads no environment): call at start-up,
    before the first evaluation."""
    embeddings.set_threads(settings.onnx_threads)


def provider_from_settings(settings: Settings) -> LLMProvider | None:
    """The configured OpenAI-compatible provider, or None for the built-in engine."""
    if not (settings.llm_base_url and settings.llm_model):
        return None
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return _provider(
        settings.llm_base_url,
        settings.llm_model,
        api_key,
        settings.llm_timeout_s,
        settings.llm_max_retries,
        settings.llm_response_format,
        settings.llm_deadline_s,
        settings.llm_breaker_failures,
        settings.llm_breaker_cooldown_s,
    )


@lru_cache(maxsize=4)
def _provider(
    base_url: str,
    model: str,
    api_key: str | None,
    timeout_s: float,
    max_retries: int,
    response_format: ResponseFormat,
    deadline_s: float,
    breaker_failures: int,
    breaker_cooldown_s: float,
) -> LLMProvider:
    """One provider (and so one circuit breaker) per configuration and process."""
    from aaie.observability.metrics import observe_llm_event

    return LLMProvider(
        base_url,
        model,
        api_key,
        timeout_s,
        max_retries,
        response_format=response_format,
        deadline_s=deadline_s,
        breaker=CircuitBreaker(breaker_failures, breaker_cooldown_s, on_event=observe_llm_event),
    )


def check_size(total_chars: int, settings: Settings) -> None:
    if total_chars > settings.max_text_chars:
        raise PayloadTooLarge(
            f"The text is longer than the {settings.max_text_chars:,}-character limit.",
            details={"chars": total_chars, "limit": settings.max_text_chars},
        )


def validated_rubric(rubric: Any) -> RubricSpec | None:
    """A custom rubric as the engine's RubricSpec; a malformed one is a 422."""
    try:
        return parse_rubric(rubric)
    except (ValidationError, ValueError) as exc:
        details = exc.errors(include_url=False) if isinstance(exc, ValidationError) else str(exc)
        raise ValidationFailed("The rubric is not valid.", details=details) from None


def refuse_unsupported_language(text: str) -> None:
    """422 `unsupported_language` for a text the detector cannot judge (/llm/classify,
    /llm/ai-score, /llm/highlight-spans). Whole evaluations go on: their classification says
    `unsupported_language: true` and is not labelled from the statistics."""
    language = identify_language(text)
    if not language.supported:
        raise UnsupportedLanguage(
            f"The text reads as {language.name}; the detector was validated on English only "
            "and does not judge other languages.",
            details={
                "language": language.code,
                "probability": language.probability,
                "supported_probability": language.supported_probability,
                "supported": list(SUPPORTED_LANGUAGES),
            },
        )

"""The one rule for every LLM-backed stage: ask the provider, else the built-in engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from aaie.engine.providers.openai_compat import LLMError, LLMProvider


class _HasFallbackReason(Protocol):
    fallback_reason: str | None


R = TypeVar("R", bound=_HasFallbackReason)


def llm_or_builtin(
    provider: LLMProvider | None, with_llm: Callable[[LLMProvider], R], builtin: Callable[[], R]
) -> R:
    """`with_llm(provider)` when a provider is configured and answers; on any provider fault
    (timeout, 5xx, invalid JSON after retries) the built-in result, saying why."""
    reason = None
    if provider is not None:
        try:
            return with_llm(provider)
        except LLMError as exc:
            reason = str(exc)
    result = builtin()
    result.fallback_reason = reason
    return result

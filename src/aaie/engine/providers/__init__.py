"""LLM providers: any OpenAI-compatible chat server, with JSON validation, retries and fallback."""

from aaie.engine.providers.breaker import CircuitBreaker, CircuitOpen
from aaie.engine.providers.openai_compat import LLMError, LLMProvider, parse_json_reply
from aaie.engine.providers.redaction import redact_for_llm

__all__ = [
    "CircuitBreaker",
    "CircuitOpen",
    "LLMError",
    "LLMProvider",
    "parse_json_reply",
    "redact_for_llm",
]

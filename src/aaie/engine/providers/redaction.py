"""Redaction before text leaves the process (fail closed: no redactor, no request)."""

from __future__ import annotations

from aaie.engine.providers.openai_compat import LLMError


def redact_for_llm(text: str) -> str:
    """The text with PII replaced by placeholders, or LLMError if redaction is unavailable."""
    try:
        from aaie.engine.redaction import redact  # lazy: loads spaCy/Presidio on first use
    except ImportError as exc:
        raise LLMError("redaction unavailable; text not sent to the LLM") from exc
    try:
        return redact(text).redacted_text
    except Exception as exc:  # any redactor failure must stop the request, never leak text
        raise LLMError(f"redaction failed ({type(exc).__name__}); text not sent") from exc

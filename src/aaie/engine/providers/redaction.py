"""Redaction before text leaves the process (fail closed: no redactor, no request)."""

from __future__ import annotations

from aaie.engine.providers.openai_compat import LLMError
from aaie.engine.redaction import redact  # cheap: spaCy/Presidio load on the first redaction


def redact_for_llm(text: str) -> str:
    """The text with PII replaced by placeholders, or LLMError if redaction fails."""
    try:
        return redact(text).redacted_text
    except Exception as exc:  # any redactor failure must stop the request, never leak text
        raise LLMError(f"redaction failed ({type(exc).__name__}); text not sent") from exc

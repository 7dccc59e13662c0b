"""PII redaction with typed, consistent placeholders (see `engine.py`)."""

from aaie.engine.redaction.engine import (
    DEFAULT_ENTITIES,
    OffsetMap,
    RedactedEntity,
    Redaction,
    get_analyzer,
    redact,
)

__all__ = ["DEFAULT_ENTITIES", "OffsetMap", "RedactedEntity", "Redaction", "get_analyzer", "redact"]

"""The error every provider fault ends in (its message is the fallback reason)."""


class LLMError(RuntimeError):
    """The provider could not produce a valid answer (the message is the fallback reason)."""

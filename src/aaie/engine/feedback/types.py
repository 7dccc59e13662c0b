"""Student-facing feedback types."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NextStep(BaseModel):
    """One concrete revision pointing at the student's own sentence (quote == text[start:end])."""

    text: str
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    criterion: str


class Feedback(BaseModel):
    text: str  # the whole feedback as one student-facing string (§11.3)
    strengths: list[str] = Field(default_factory=list)
    next_steps: list[NextStep] = Field(default_factory=list)
    engine: str = "builtin"
    fallback_reason: str | None = None

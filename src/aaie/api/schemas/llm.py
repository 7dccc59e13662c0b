"""Request bodies of the `/llm/*` engine routes (§11.2, §11.8)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aaie.engine.types import ChatTurn

MAX_CHAT_TURNS = 200


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain some text, not only whitespace")
    return value


class EngineRequest(BaseModel):
    """Submission text with the optional assignment prompt and the student's AI chat log."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "prompt_text": "Should schools ban phones in class? Argue your position.",
                    "student_submission": "Phones distract students. In my class, ...",
                    "chat_log": [
                        {"role": "user", "text": "give me ideas"},
                        {"role": "ai", "text": "Here are three arguments ..."},
                    ],
                }
            ]
        },
    )

    student_submission: str = Field(min_length=1, description="the student's text")
    prompt_text: str | None = Field(None, description="the assignment prompt")
    chat_log: list[ChatTurn] | None = Field(
        None,
        max_length=MAX_CHAT_TURNS,
        description='the student\'s own AI chat log: [{"role": "user"|"ai", "text": "..."}]',
    )

    _check_text = field_validator("student_submission")(_not_blank)

    def total_chars(self) -> int:
        return (
            len(self.student_submission)
            + len(self.prompt_text or "")
            + sum(len(t.text) for t in self.chat_log or [])
        )


class RubricRequest(EngineRequest):
    rubric: dict[str, Any] | list[dict[str, Any]] | None = Field(
        None,
        description="custom rubric: {criteria: [{name, description, bands?}]}; "
        "default: the T2 rubric (Structure, Clarity, Relevance, AcademicWriting)",
    )


class EvaluateAllRequest(RubricRequest):
    similarity_flag_pct: float | None = Field(
        None, ge=0, le=100, description="flag threshold; default from settings (40)"
    )


class RedactRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    chat_log: list[ChatTurn] | None = Field(None, max_length=MAX_CHAT_TURNS)

    _check_text = field_validator("text")(_not_blank)

    def total_chars(self) -> int:
        return len(self.text) + sum(len(t.text) for t in self.chat_log or [])

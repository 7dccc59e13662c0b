"""Types shared by every engine capability.

The engine is a pure library: text in, typed results out. These are the shapes every stage
agrees on, so the API, the CLI and the jobs can pass results around without re-validating.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChatRole = Literal["user", "ai"]


class ChatTurn(BaseModel):
    """One turn of the student's own AI chat log (§11.6)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: ChatRole
    text: str


ChatLog = list[ChatTurn]


class Sentence(BaseModel):
    """A sentence of the submission with its character offsets into the original text."""

    model_config = ConfigDict(frozen=True)

    index: int
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


def as_chat_log(chat_log: list[ChatTurn] | list[dict[str, str]] | None) -> list[ChatTurn]:
    """Accept a chat log as typed turns or plain dicts (as it arrives from JSON)."""
    if not chat_log:
        return []
    return [t if isinstance(t, ChatTurn) else ChatTurn.model_validate(t) for t in chat_log]

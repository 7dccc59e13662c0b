"""Streamed feedback (§13): partial text deltas, then the validated result.

Events are plain dicts for the API's SSE layer:
    {"event": "delta", "text": "..."}   pieces of the student-facing summary as the LLM writes it
    {"event": "result", "data": {...}}  the final, validated Feedback (or the built-in fallback)
Closing the iterator (the client went away) closes the upstream HTTP request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from aaie.engine.analysis import TextAnalysis, ensure_analysis
from aaie.engine.feedback.builtin import feedback_builtin
from aaie.engine.feedback.llm import LLMFeedbackReply, build_messages, to_feedback
from aaie.engine.feedback.types import Feedback
from aaie.engine.providers import LLMError, LLMProvider, parse_json_reply, redact_for_llm
from aaie.engine.rubric.types import RubricResult

_TEXT_KEY = re.compile(r'"text"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class PartialTextField:
    """Decode the top-level "text" string of a JSON object while it is still being written."""

    def __init__(self) -> None:
        self.start: int | None = None
        self.pos = 0
        self.done = False

    def feed(self, buffer: str) -> str:
        if self.done:
            return ""
        if self.start is None:
            m = _TEXT_KEY.search(buffer)
            if m is None:
                return ""
            self.start = self.pos = m.end()
        out = []
        i = self.pos
        while i < len(buffer):
            ch = buffer[i]
            if ch == '"':
                self.done = True
                i += 1
                break
            if ch == "\\":
                if i + 1 >= len(buffer):
                    break
                esc = buffer[i + 1]
                if esc == "u":
                    if i + 6 > len(buffer):
                        break
                    with contextlib.suppress(ValueError):
                        out.append(chr(int(buffer[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                out.append(_ESCAPES.get(esc, esc))
                i += 2
                continue
            out.append(ch)
            i += 1
        self.pos = i
        return "".join(out)


async def stream_feedback(
    provider: LLMProvider | None,
    student_submission: str,
    prompt_text: str | None = None,
    rubric_result: RubricResult | None = None,
    *,
    analysis: TextAnalysis | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Yield delta events while the LLM writes, then one result event (never raises for
    provider faults: the result is then the built-in feedback with `fallback_reason`)."""
    if not student_submission or not student_submission.strip():
        raise ValueError("student_submission is empty")
    a = ensure_analysis(student_submission, analysis)
    prompt = prompt_text if prompt_text and prompt_text.strip() else None
    reason: str | None = None
    feedback: Feedback | None = None
    if provider is not None:
        try:
            redacted = await asyncio.to_thread(redact_for_llm, student_submission)
            messages = build_messages(redacted, prompt, rubric_result)
            buffer, field = "", PartialTextField()
            upstream = provider.stream_chat(messages, LLMFeedbackReply)
            try:
                async for delta in upstream:
                    buffer += delta
                    piece = field.feed(buffer)
                    if piece:
                        yield {"event": "delta", "text": piece}
            finally:
                await upstream.aclose()  # consumer gone or stream over: close the upstream call
            reply = parse_json_reply(buffer, LLMFeedbackReply)
            feedback = await asyncio.to_thread(to_feedback, reply, a, provider.engine_name)
        except (LLMError, ValueError, json.JSONDecodeError) as exc:
            reason = str(exc)
    if feedback is None:
        feedback = await asyncio.to_thread(feedback_builtin, a, prompt, rubric_result)
        feedback.fallback_reason = reason
    yield {"event": "result", "data": feedback.model_dump()}

"""A small client for OpenAI-compatible chat servers (OpenAI, vLLM, Ollama, llama.cpp server).

What it guarantees to its callers (rubric scoring and feedback):
- the reply is JSON validated against a pydantic model (asked for with `response_format`, then
  parsed leniently: code fences and prose around the object are tolerated);
- every request has a timeout; 5xx, 429, timeouts, connection errors and invalid JSON are retried
  a bounded number of times with exponential backoff; other 4xx are not retried;
- any failure ends in `LLMError` with a short reason, which callers turn into a fallback to the
  built-in engine (`fallback_reason`);
- a call never takes longer than `deadline_s` in all (each attempt's timeout is cut to what is
  left, and no retry starts that could not finish), and after repeated failed calls the
  circuit breaker skips the server for a cool-down (`breaker.py`).
Student text must be redacted by the caller before it reaches `chat_json` / `stream_chat`
(see `aaie.engine.providers.redaction`).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from aaie.engine.providers.breaker import CircuitBreaker, Deadline
from aaie.engine.providers.errors import LLMError

T = TypeVar("T", bound=BaseModel)
ResponseFormat = Literal["json_schema", "json_object", "none"]
_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
_FENCE_RE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


class _Retryable(LLMError):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class LLMProvider:
    """OpenAI-compatible chat-completions client with JSON output, retries and timeouts."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        *,
        backoff_s: float = 0.5,
        response_format: ResponseFormat = "json_schema",
        temperature: float = 0.0,
        max_tokens: int = 900,
        deadline_s: float | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        if not base_url or not model:
            raise ValueError("base_url and model are required")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_retries = max(0, max_retries)
        self.backoff_s = backoff_s
        self.response_format = response_format
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.last_attempts = 0  # requests made by the latest call (for logs and tests)
        # Total budget of one call, retries and back-off included (default: what the retries
        # could take at most, i.e. no extra bound).
        self.deadline_s = deadline_s
        self.breaker = breaker or CircuitBreaker(failures=1_000_000)

    @property
    def identity(self) -> str:
        """What makes two providers' answers interchangeable, for the result cache: the server,
        the model, and the request settings that change an answer (never the API key)."""
        return "|".join(
            str(v)
            for v in (
                self.base_url,
                self.model,
                self.response_format,
                self.temperature,
                self.max_tokens,
            )
        )

    @property
    def engine_name(self) -> str:
        return f"llm:{self.model}"

    # ------------------------------------------------------------------ request building

    @property
    def _url(self) -> str:
        # Accept both ".../v1" and a bare host as the base URL.
        base = self.base_url if self.base_url.endswith("/v1") else self.base_url + "/v1"
        return base + "/chat/completions"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _payload(
        self, messages: list[dict[str, str]], schema: type[BaseModel], stream: bool
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": stream,
        }
        json_schema = schema.model_json_schema()
        if self.response_format == "json_schema":
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": json_schema, "strict": False},
            }
        elif self.response_format == "json_object":
            # llama.cpp's server turns an attached "schema" into a grammar; others ignore it.
            payload["response_format"] = {"type": "json_object", "schema": json_schema}
        return payload

    def _timeout(self, seconds: float | None = None) -> httpx.Timeout:
        seconds = self.timeout_s if seconds is None else max(0.001, min(seconds, self.timeout_s))
        return httpx.Timeout(seconds, connect=min(seconds, 10.0))

    def _deadline(self) -> Deadline:
        if self.deadline_s is not None:
            return Deadline(self.deadline_s)
        worst = (self.max_retries + 1) * (self.timeout_s + 8.0)
        return Deadline(worst)

    def _out_of_time(self, deadline: Deadline) -> _Retryable:
        return _Retryable(f"deadline of {deadline.seconds:g}s reached")

    def _delay(self, attempt: int, error: _Retryable) -> float:
        if error.retry_after is not None:
            return min(error.retry_after, 10.0)
        return float(min(self.backoff_s * (2**attempt), 8.0))

    # ------------------------------------------------------------------ blocking JSON call

    def chat_json(
        self,
        messages: list[dict[str, str]],
        schema: type[T],
        validate: Callable[[T], None] | None = None,
    ) -> T:
        """One validated JSON answer, retrying transient faults; raises LLMError.

        `validate` may raise ValueError to reject a well-formed but unusable answer (e.g.
        feedback that quotes nothing from the essay); that counts as a retryable fault.
        """
        self.last_attempts = 0
        self.breaker.before_call()  # CircuitOpen (an LLMError) while the server is skipped
        deadline = self._deadline()
        last: LLMError | None = None
        with httpx.Client(timeout=self._timeout(), headers=self._headers()) as client:
            for attempt in range(self.max_retries + 1):
                self.last_attempts += 1
                try:
                    result = self._once(client, messages, schema, deadline)
                    if validate is not None:
                        try:
                            validate(result)
                        except ValueError as exc:
                            raise _Retryable(f"reply rejected: {exc}") from exc
                    self.breaker.record_success()
                    return result
                except _Retryable as exc:
                    last = exc
                    delay = self._delay(attempt, exc)
                    if attempt >= self.max_retries or deadline.remaining() <= delay + 0.05:
                        break
                    time.sleep(delay)
                except LLMError:
                    self.breaker.record_failure()
                    raise
        self.breaker.record_failure()
        raise LLMError(f"{last} (after {self.last_attempts} attempts)")

    def _once(
        self,
        client: httpx.Client,
        messages: list[dict[str, str]],
        schema: type[T],
        deadline: Deadline,
    ) -> T:
        left = deadline.remaining()
        if left <= 0:
            raise self._out_of_time(deadline)
        timeout = self._timeout(left)
        try:
            response = client.post(
                self._url, json=self._payload(messages, schema, stream=False), timeout=timeout
            )
        except httpx.TimeoutException as exc:
            if deadline.remaining() <= 0.05:
                raise self._out_of_time(deadline) from exc
            raise _Retryable(f"timeout after {self.timeout_s:g}s") from exc
        except httpx.HTTPError as exc:
            raise _Retryable(f"connection error: {type(exc).__name__}") from exc
        _check_status(response)
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _Retryable("malformed chat-completions response") from exc
        return parse_json_reply(content or "", schema)

    # ------------------------------------------------------------------ streaming

    async def stream_chat(
        self, messages: list[dict[str, str]], schema: type[BaseModel]
    ) -> AsyncGenerator[str, None]:
        """Yield content deltas of a streamed completion (SSE). Retries only before the first
        delta. Closing the iterator (consumer gone) closes the upstream HTTP response."""
        self.last_attempts = 0
        self.breaker.before_call()
        deadline = self._deadline()  # bounds the wait for the first delta, retries included
        last: _Retryable | None = None
        async with httpx.AsyncClient(timeout=self._timeout(), headers=self._headers()) as client:
            for attempt in range(self.max_retries + 1):
                self.last_attempts += 1
                started = False
                try:
                    async for delta in self._stream_once(client, messages, schema, deadline):
                        if not started:
                            started = True
                            self.breaker.record_success()
                        yield delta
                    return
                except _Retryable as exc:
                    if started:
                        raise LLMError(f"stream broke: {exc}") from exc
                    last = exc
                    delay = self._delay(attempt, exc)
                    if attempt >= self.max_retries or deadline.remaining() <= delay + 0.05:
                        break
                    await asyncio.sleep(delay)
                except LLMError:
                    if not started:
                        self.breaker.record_failure()
                    raise
        self.breaker.record_failure()
        raise LLMError(f"{last} (after {self.last_attempts} attempts)")

    async def _stream_once(
        self,
        client: httpx.AsyncClient,
        messages: list[dict[str, str]],
        schema: type[BaseModel],
        deadline: Deadline,
    ) -> AsyncIterator[str]:
        payload = self._payload(messages, schema, stream=True)
        left = deadline.remaining()
        if left <= 0:
            raise self._out_of_time(deadline)
        try:
            async with client.stream(
                "POST", self._url, json=payload, timeout=self._timeout(left)
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                _check_status(response)
                async for line in response.aiter_lines():
                    delta = _sse_delta(line)
                    if delta is None:
                        continue
                    if delta == "[DONE]":
                        return
                    yield delta
        except httpx.TimeoutException as exc:
            if deadline.remaining() <= 0.05:
                raise self._out_of_time(deadline) from exc
            raise _Retryable(f"timeout after {self.timeout_s:g}s") from exc
        except httpx.HTTPError as exc:
            raise _Retryable(f"connection error: {type(exc).__name__}") from exc


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status in _RETRYABLE_STATUS or status >= 500:
        retry_after = response.headers.get("retry-after")
        try:
            delay = float(retry_after) if retry_after else None
        except ValueError:
            delay = None
        raise _Retryable(f"HTTP {status} from LLM server", delay)
    raise LLMError(f"HTTP {status} from LLM server (not retried)")


def _sse_delta(line: str) -> str | None:
    """Content delta of one SSE line of a streamed chat completion (None: nothing to emit)."""
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if data == "[DONE]":
        return data
    try:
        chunk = json.loads(data)
        return chunk["choices"][0].get("delta", {}).get("content") or None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


def parse_json_reply(content: str, schema: type[T]) -> T:
    """Parse an LLM reply as `schema`; tolerate code fences and text around the JSON object."""
    candidates = [content.strip()]
    fenced = _FENCE_RE.search(content)
    if fenced:
        candidates.append(fenced.group(1).strip())
    first, last = content.find("{"), content.rfind("}")
    if 0 <= first < last:
        candidates.append(content[first : last + 1])
    error = "reply is not JSON"
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        try:
            return schema.model_validate(data)
        except ValidationError as exc:
            error = f"reply does not match the schema ({exc.error_count()} errors)"
    raise _Retryable(error)

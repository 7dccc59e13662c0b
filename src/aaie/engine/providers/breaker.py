"""A circuit breaker and a deadline for calls to an LLM server.

One dead or hanging server must not cost every request the full timeout × retries: each call
gets a total deadline (`Deadline`), and after `failures` failed calls in a row the breaker
opens and callers skip the server (falling back to the built-in engine at once) for
`cooldown_s`. Then one call is let through as a probe: success closes the circuit, failure
opens it for another cool-down. Thread-safe; one breaker per provider per process.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from aaie.engine.providers.errors import LLMError

EventHook = Callable[[str], None]  # "success", "failure", "skipped", "opened"


class CircuitOpen(LLMError):
    """The server is being skipped for a cool-down (the message is the fallback reason)."""


class CircuitBreaker:
    def __init__(
        self,
        failures: int = 2,
        cooldown_s: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_event: EventHook | None = None,
    ) -> None:
        self.failures = max(1, failures)
        self.cooldown_s = cooldown_s
        self.on_event = on_event
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._open_until: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def before_call(self) -> None:
        """Raise CircuitOpen while the server is skipped; let one probe through after it."""
        with self._lock:
            if self._open_until is None:
                return
            now = self._clock()
            if now >= self._open_until and not self._probing:
                self._probing = True  # this caller probes; the others keep skipping
                return
            left = max(0.0, self._open_until - now)
        self._emit("skipped")
        raise CircuitOpen(
            f"LLM server skipped for a cool-down after {self._consecutive} failed calls in a row"
            f" (next try in {left:.0f}s)"
        )

    def record_success(self) -> None:
        with self._lock:
            self._consecutive, self._open_until, self._probing = 0, None, False
        self._emit("success")

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            opened = self._probing or (
                self._open_until is None and self._consecutive >= self.failures
            )
            if opened:
                self._open_until = self._clock() + self.cooldown_s
            self._probing = False
        self._emit("failure")
        if opened:
            self._emit("opened")

    def _emit(self, event: str) -> None:
        if self.on_event is not None:
            with contextlib.suppress(Exception):  # a metrics hook must never break a call
                self.on_event(event)


class Deadline:
    """Seconds left of a total time budget."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return self._end - self._clock()

"""Fixed-window counters for rate limits and login throttling.

In-memory by default (one process); with AAIE_REDIS_URL the counters live in Redis so every
worker process and machine shares them. When Redis is unreachable the limits degrade to this
process's own in-memory counters (still enforced, never a 500, never unlimited) and Redis is
tried again after a few seconds.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis
import structlog

from aaie.errors import RateLimited

log = structlog.get_logger("aaie.ratelimit")


class CounterStore(Protocol):
    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        """Count one hit; return (hits in the current window, seconds until it resets)."""

    def peek(self, key: str) -> tuple[int, int]:
        """(hits, seconds left) without counting."""

    def reset(self, key: str) -> None: ...


class MemoryCounterStore:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            expires, count = self._windows.get(key, (0.0, 0))
            if expires <= now:
                expires, count = now + window_s, 0
            count += 1
            self._windows[key] = (expires, count)
            return count, max(1, int(expires - now + 0.999))

    def peek(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            expires, count = self._windows.get(key, (0.0, 0))
        if expires <= now:
            return 0, 0
        return count, max(1, int(expires - now + 0.999))

    def reset(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)


class RedisCounterStore:
    def __init__(self, url: str, prefix: str = "aaie:rl:") -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        self._prefix = prefix

    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        full = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.incr(full)
        pipe.expire(full, window_s, nx=True)
        pipe.ttl(full)
        count, _, ttl = pipe.execute()
        return int(count), max(1, int(ttl))

    def peek(self, key: str) -> tuple[int, int]:
        full = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.get(full)
        pipe.ttl(full)
        raw, ttl = pipe.execute()
        return (int(raw), max(1, int(ttl))) if raw is not None else (0, 0)

    def reset(self, key: str) -> None:
        self._redis.delete(self._prefix + key)


class FallbackCounterStore:
    """Redis first; while it is unreachable, in-memory counters for `retry_s` at a time."""

    def __init__(self, primary: CounterStore, retry_s: float = 5.0) -> None:
        self.primary = primary
        self.fallback = MemoryCounterStore()
        self.retry_s = retry_s
        self._down_until = 0.0

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until

    def _use_primary(self) -> bool:
        return not self.degraded

    def _failed(self, exc: Exception) -> None:
        if not self.degraded:
            log.warning("rate_limit_store_unavailable", error=type(exc).__name__)
        self._down_until = time.monotonic() + self.retry_s

    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        if self._use_primary():
            try:
                return self.primary.hit(key, window_s)
            except redis.RedisError as exc:
                self._failed(exc)
        return self.fallback.hit(key, window_s)

    def peek(self, key: str) -> tuple[int, int]:
        if self._use_primary():
            try:
                return self.primary.peek(key)
            except redis.RedisError as exc:
                self._failed(exc)
        return self.fallback.peek(key)

    def reset(self, key: str) -> None:
        self.fallback.reset(key)
        if self._use_primary():
            try:
                self.primary.reset(key)
            except redis.RedisError as exc:
                self._failed(exc)


def make_counter_store(redis_url: str | None) -> CounterStore:
    if not redis_url:
        return MemoryCounterStore()
    return FallbackCounterStore(RedisCounterStore(redis_url))


def refuse_when_locked_out(counters: CounterStore, key: str, max_failures: int, what: str) -> None:
    """RateLimited (with Retry-After) once `key` has `max_failures` recent failures: the one
    lockout rule for sign-ins and password changes (`what`: "failed logins", ...)."""
    failures, retry_s = counters.peek(key)
    if failures >= max_failures:
        raise RateLimited(
            f"Too many {what}; try again later.",
            headers={"Retry-After": str(retry_s)},
            details={"retry_after_s": retry_s},
        )

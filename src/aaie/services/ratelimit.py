"""Fixed-window counters for rate limits and login throttling.

In-memory by default (one process); with AAIE_REDIS_URL the counters live in Redis so every
worker process and machine shares them.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis


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
        self._redis = redis.Redis.from_url(url, socket_timeout=2)
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


def make_counter_store(redis_url: str | None) -> CounterStore:
    return RedisCounterStore(redis_url) if redis_url else MemoryCounterStore()

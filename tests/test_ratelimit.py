"""Rate-limit counters: the in-memory store and the Redis store (a real local Redis)."""

from __future__ import annotations

import uuid

import pytest

from aaie.services.ratelimit import CounterStore, MemoryCounterStore, RedisCounterStore
from tests.conftest import redis_or_skip

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_store() -> RedisCounterStore:
    redis_or_skip(REDIS_URL)
    return RedisCounterStore(REDIS_URL, prefix=f"aaie-test-{uuid.uuid4().hex}:")


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> CounterStore:
    return MemoryCounterStore() if request.param == "memory" else _redis_store()


def test_hits_count_up_within_a_window_and_report_time_left(store: CounterStore) -> None:
    assert store.peek("k") == (0, 0)
    assert store.hit("k", 60)[0] == 1
    count, reset_s = store.hit("k", 60)
    assert count == 2 and 1 <= reset_s <= 60
    assert store.peek("k")[0] == 2
    assert store.hit("other", 60)[0] == 1  # keys are independent


def test_reset_forgets_the_key(store: CounterStore) -> None:
    store.hit("k", 60)
    store.reset("k")
    assert store.peek("k") == (0, 0)


def test_redis_counters_are_shared_between_processes_stores() -> None:
    first = _redis_store()
    second = RedisCounterStore(REDIS_URL, prefix=first._prefix)
    first.hit("shared", 60)
    assert second.hit("shared", 60)[0] == 2

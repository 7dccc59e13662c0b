"""Prometheus metrics. With several worker processes (gunicorn), prometheus_client's
multiprocess mode aggregates every worker's samples: `aaie serve --workers N` sets
PROMETHEUS_MULTIPROC_DIR before the workers start."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prom_multiprocess

REQUESTS = Counter(
    "aaie_http_requests_total",
    "HTTP requests by route template, method and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "aaie_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ENGINE_STAGE = Histogram(
    "aaie_engine_stage_seconds",
    "Engine stage latency",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LLM_CALLS = Counter(
    "aaie_llm_calls_total",
    "Calls to the LLM server: success, failure (the built-in engine answered instead), or"
    " skipped (circuit open: the built-in engine answered without trying the server)",
    ["outcome"],
)
LLM_CIRCUIT_OPENED = Counter(
    "aaie_llm_circuit_opened_total", "Times the LLM circuit breaker opened (a cool-down began)"
)


def observe_llm_event(event: str) -> None:
    """The LLM circuit breaker's hook (services/engine.py)."""
    if event == "opened":
        LLM_CIRCUIT_OPENED.inc()
    else:
        LLM_CALLS.labels(event).inc()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route, str(status)).observe(seconds)


def render_metrics() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prom_multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST

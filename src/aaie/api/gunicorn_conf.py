"""gunicorn hooks used by `aaie serve --workers N`."""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess


def child_exit(server: Any, worker: Any) -> None:
    # Drop a dead worker's live gauges from the aggregated metrics.
    multiprocess.mark_process_dead(worker.pid)

"""Evaluation jobs behind one interface: an in-process thread pool (default) or Celery workers
on Redis (`AAIE_JOB_BACKEND=celery`). `get_runner(settings)` picks one."""

from aaie.jobs.base import JobRunner, get_runner
from aaie.jobs.inline import InlineRunner

__all__ = ["InlineRunner", "JobRunner", "get_runner"]

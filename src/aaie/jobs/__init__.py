"""Evaluation jobs behind one interface: an in-process thread pool (default) or Celery workers
on Redis (`AAIE_JOB_BACKEND=celery`). `get_runner(settings)` picks one."""

from aaie.jobs.base import Job, JobRunner
from aaie.jobs.inline import InlineRunner
from aaie.jobs.runner import get_runner

__all__ = ["InlineRunner", "Job", "JobRunner", "get_runner"]

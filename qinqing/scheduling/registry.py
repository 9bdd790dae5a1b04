"""The periodic jobs of every app.

Each app registers its periodic jobs in its `tasks.py`:

    @task(queue_name="scheduler")
    def scan_deadlines(period_key: str) -> None: ...

    register_periodic(name="deadlines.scan", task=scan_deadlines, period="15min")

The scheduler (`manage.py run_scheduler`) imports every installed app's `tasks` module
and enqueues each job once per period, passing `period_key` (see `periods.py`).
"""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django_tasks.base import Task

from .periods import PERIODS, PERIODS_WITH_AT, Period, due_at

__all__ = ["PeriodicJob", "autodiscover", "periodic_jobs", "register_periodic", "unregister_periodic"]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    period: str
    at: dt.time | None
    queue: str

    def due_at(self, start: dt.datetime) -> dt.datetime:
        return due_at(self.period, start, self.at)


_REGISTRY: dict[str, PeriodicJob] = {}


def register_periodic(
    *,
    name: str,
    task: Task[Any, Any],
    period: Period,
    at: dt.time | None = None,
    queue: str = "scheduler",
) -> PeriodicJob:
    """Run `task(period_key=...)` once per `period` (Asia/Shanghai local time).

    `at` is the earliest local time of day to run in the period, for "day", "week"
    (on Monday) and "month" (on the 1st). `queue` must be one of settings.TASKS'
    queues. Registering the same name again with the same task is harmless (modules
    can be imported twice); a different task under a taken name is an error.
    """
    if not name or len(name) > 100:
        raise ValueError("a periodic job needs a name of 1 to 100 characters")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    if at is not None:
        if period not in PERIODS_WITH_AT:
            raise ValueError("'at' applies only to day, week and month periods")
        if at.tzinfo is not None:
            raise ValueError("'at' is a local (Asia/Shanghai) time without a time zone")
    if not isinstance(task, Task):
        raise TypeError("register_periodic needs a django_tasks Task (use @task)")
    if "period_key" not in inspect.signature(task.func).parameters:
        raise TypeError("the task of a periodic job must take a period_key argument")
    # `using` validates the queue against the backend's QUEUES.
    job = PeriodicJob(name=name, task=task.using(queue_name=queue), period=period, at=at, queue=queue)
    existing = _REGISTRY.get(name)
    if existing is not None and (
        existing.task.module_path != job.task.module_path
        or (existing.period, existing.at, existing.queue) != (job.period, job.at, job.queue)
    ):
        raise ValueError(f"a different periodic job is already registered as {name!r}")
    _REGISTRY[name] = job
    return job


def unregister_periodic(name: str) -> None:
    _REGISTRY.pop(name, None)


def autodiscover() -> None:
    """Import every installed app's `tasks` module, which registers its jobs."""
    autodiscover_modules("tasks")


def periodic_jobs(*, discover: bool = True) -> list[PeriodicJob]:
    if discover:
        autodiscover()
    return sorted(_REGISTRY.values(), key=lambda job: job.name)

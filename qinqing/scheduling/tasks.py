"""Housekeeping jobs of the job system itself."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .registry import register_periodic
from .services import task_results_prune, tasks_reap_stale


@task(queue_name="scheduler")
def prune_task_results(period_key: str) -> dict[str, int]:
    """Delete old finished task results and heartbeats of long-gone workers."""
    return task_results_prune()


@task(queue_name="scheduler")
def reap_lost_tasks(period_key: str) -> int:
    """Also reap from the queue, for deployments whose workers are plain db_workers."""
    return len(tasks_reap_stale())


register_periodic(
    name="scheduling.prune_task_results", task=prune_task_results, period="day", at=dt.time(3, 30)
)
register_periodic(name="scheduling.reap_lost_tasks", task=reap_lost_tasks, period="5min")

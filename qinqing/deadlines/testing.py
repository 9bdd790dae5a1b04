"""For tests of apps with deadlines: the scan as the scheduler and a worker run it."""

from __future__ import annotations

import datetime as dt

from django_tasks_db.models import DBTaskResult

from .scan import ScanResult, deadlines_scan


def scan_and_notify(*, today: dt.date) -> ScanResult:
    """Run the daily scan, then the notification job it enqueued (what a worker does
    seconds later)."""
    result = deadlines_scan(today=today)
    if result.notify_job_id:
        run_notify_job(result.notify_job_id)
    return result


def run_notify_job(job_id: str) -> int:
    row = DBTaskResult.objects.get(pk=job_id)
    task = row.task
    return int(task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))

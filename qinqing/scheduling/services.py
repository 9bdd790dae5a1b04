"""The scheduler's tick, the workers' heartbeat and the reaper of lost jobs.

Scheduling is exactly-once per (job, period) because the ScheduledRun row and the job's
task row are inserted in one transaction under a UNIQUE constraint: a second scheduler
(or a restarted one, or one whose clock went back) fails the insert and enqueues
nothing. Missed periods (downtime, a clock jumping ahead) are caught up oldest first,
up to SCHEDULER_MAX_CATCH_UP; older ones are recorded as one SKIPPED row.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qinqing.audit.services import audit_record

from .models import RunStatus, ScheduledRun, WorkerHeartbeat
from .periods import (
    next_start,
    parse_period_key,
    period_key,
    period_start,
    periods_between,
    previous_start,
)
from .registry import PeriodicJob, periodic_jobs

logger = logging.getLogger(__name__)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- The scheduler ------------------------------------------------------------------------


@dataclass(frozen=True)
class TickResult:
    enqueued: list[ScheduledRun]
    skipped: list[ScheduledRun]


def scheduler_tick(
    *, now: dt.datetime | None = None, jobs: Iterable[PeriodicJob] | None = None
) -> TickResult:
    """Enqueue every registered job for every due period not yet enqueued.

    `now` is injectable for tests and backfills; `jobs` defaults to the registry.
    Safe to run from several processes at once.
    """
    at = now or timezone.now()
    enqueued: list[ScheduledRun] = []
    skipped: list[ScheduledRun] = []
    for job in periodic_jobs() if jobs is None else list(jobs):
        try:
            e, s = _schedule_job(job, at)
        except Exception:
            # One broken job must not stop the others from being scheduled.
            logger.exception("scheduling %s failed", job.name)
            continue
        enqueued.extend(e)
        skipped.extend(s)
    return TickResult(enqueued=enqueued, skipped=skipped)


def _latest_due_start(job: PeriodicJob, now: dt.datetime) -> dt.datetime:
    """Start of the newest period that is due at `now` (its `at` time has passed)."""
    current = period_start(job.period, now)
    return current if job.due_at(current) <= now else previous_start(job.period, current)


def _schedule_job(job: PeriodicJob, now: dt.datetime) -> tuple[list[ScheduledRun], list[ScheduledRun]]:
    target = _latest_due_start(job, now)
    last = _last_recorded_start(job)
    # First start: from the current period (once it is due), never the past.
    first = period_start(job.period, now) if last is None else next_start(job.period, last)
    count = periods_between(job.period, first, target)
    if count == 0:
        # Nothing due, or the clock went back behind the last recorded period.
        return [], []

    cap = max(1, int(_setting("SCHEDULER_MAX_CATCH_UP", 24)))
    skipped: list[ScheduledRun] = []
    if count > cap:
        keep_from = target
        for _i in range(cap - 1):
            keep_from = previous_start(job.period, keep_from)
        skip_last = previous_start(job.period, keep_from)
        run = _record_skip(job, first=first, last=skip_last, count=count - cap, now=now)
        if run is not None:
            skipped.append(run)
        first = keep_from

    enqueued: list[ScheduledRun] = []
    start = first
    while start <= target:
        run = _enqueue_period(job, start, now)
        if run is not None:
            enqueued.append(run)
        start = next_start(job.period, start)
    return enqueued, skipped


def _last_recorded_start(job: PeriodicJob) -> dt.datetime | None:
    """Start of the newest period this job has a row for (run or skipped).

    Rows of another period length (the job's registration changed) are ignored: the
    job starts afresh with its current period.
    """
    rows = ScheduledRun.objects.filter(job_name=job.name, period=job.period)
    last = rows.order_by("-period_start").values_list("period_start", flat=True).first()
    skip = rows.filter(status=RunStatus.SKIPPED).order_by("-period_start").first()
    if skip is not None:
        # A SKIPPED row stands for a range; its end counts even if the runs after it
        # were never written (the scheduler died in between).
        through = parse_period_key(job.period, skip.skipped_through_key)
        last = through if last is None else max(last, through)
    return last


def _enqueue_period(job: PeriodicJob, start: dt.datetime, now: dt.datetime) -> ScheduledRun | None:
    key = period_key(job.period, start)
    try:
        with transaction.atomic(durable=True):
            run = ScheduledRun.objects.create(
                job_name=job.name,
                period=job.period,
                period_key=key,
                period_start=start,
                status=RunStatus.ENQUEUED,
                task_path=job.task.module_path,
                queue_name=job.queue,
                scheduled_at=now,
            )
            # Same transaction: if the insert above lost a race, this never happens.
            result = job.task.enqueue(period_key=key)
            run.task_id = str(result.id)
            run.save(update_fields=["task_id"])
    except IntegrityError:
        logger.debug("%s %s was already scheduled", job.name, key)
        return None
    logger.info("enqueued %s for %s (task %s)", job.name, key, run.task_id)
    return run


def _record_skip(
    job: PeriodicJob, *, first: dt.datetime, last: dt.datetime, count: int, now: dt.datetime
) -> ScheduledRun | None:
    first_key, last_key = period_key(job.period, first), period_key(job.period, last)
    try:
        with transaction.atomic(durable=True):
            run = ScheduledRun.objects.create(
                job_name=job.name,
                period=job.period,
                period_key=first_key,
                period_start=first,
                status=RunStatus.SKIPPED,
                task_path=job.task.module_path,
                queue_name=job.queue,
                skipped_count=count,
                skipped_through_key=last_key,
                scheduled_at=now,
            )
            audit_record(
                actor=None,
                action="scheduler.periods_skipped",
                obj=run,
                after={"job": job.name, "from": first_key, "through": last_key, "count": count},
            )
    except IntegrityError:
        return None
    logger.warning(
        "%s: skipped %d missed periods %s to %s (catch-up limit)", job.name, count, first_key, last_key
    )
    return run


# --- Workers: heartbeat and reaper ---------------------------------------------------------


def worker_heartbeat(*, worker_id: str, queues: str = "", now: dt.datetime | None = None) -> None:
    """Record that `worker_id` is alive (creates its row on the first beat)."""
    at = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=at, stopped_at=None)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"last_seen": at, "stopped_at": None},
            create_defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": queues[:255],
                "started_at": at,
                "last_seen": at,
            },
        )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


class WorkerLost(Exception):
    """Recorded as a task's failure when its workers kept dying while running it."""


def tasks_reap_stale(*, now: dt.datetime | None = None) -> list[str]:
    """Requeue tasks left RUNNING by a worker that has stopped beating.

    A worker is dead when its heartbeat is older than WORKER_DEAD_AFTER_SECONDS or it
    stopped (it was forced to quit mid-task). A task claimed by a worker that never
    beat (a plain db_worker) counts as lost only after WORKER_UNTRACKED_LOST_AFTER_SECONDS,
    since nothing tells a long job from a dead one there. A task that has lost
    WORKER_MAX_LOST_ATTEMPTS workers is failed instead of requeued, so a job that kills
    its worker cannot loop forever. Returns the ids of the tasks requeued or failed.
    """
    at = now or timezone.now()
    stale_before = at - dt.timedelta(seconds=int(_setting("WORKER_DEAD_AFTER_SECONDS", 120)))
    untracked_before = at - dt.timedelta(seconds=int(_setting("WORKER_UNTRACKED_LOST_AFTER_SECONDS", 3600)))
    running = list(DBTaskResult.objects.running().values_list("id", "worker_ids", "started_at"))
    if not running:
        return []
    last_worker = {str(task_id): (ids[-1] if ids else "") for task_id, ids, _started in running}
    beats = {
        hb.worker_id: hb for hb in WorkerHeartbeat.objects.filter(worker_id__in=set(last_worker.values()))
    }
    lost: list[str] = []
    for task_id, _ids, started_at in running:
        beat = beats.get(last_worker[str(task_id)])
        if beat is None:
            dead = started_at is None or started_at < untracked_before
        else:
            dead = beat.stopped_at is not None or beat.last_seen < stale_before
        if dead and _requeue_lost(str(task_id), last_worker[str(task_id)], at):
            lost.append(str(task_id))
    return lost


def _requeue_lost(task_id: str, worker_id: str, now: dt.datetime) -> bool:
    max_lost = int(_setting("WORKER_MAX_LOST_ATTEMPTS", 5))
    with transaction.atomic(durable=True):
        row = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=task_id, status=TaskResultStatus.RUNNING)
            .first()
        )
        # Gone, finished, or claimed again by another worker since the snapshot.
        if row is None or (row.worker_ids[-1] if row.worker_ids else "") != worker_id:
            return False
        if len(row.worker_ids) >= max_lost:
            row.status = TaskResultStatus.FAILED
            row.finished_at = now
            row.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
            row.traceback = f"WorkerLost: {len(row.worker_ids)} workers died while running this task\n"
            row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            action = "task.failed_worker_lost"
        else:
            row.status = TaskResultStatus.READY
            row.save(update_fields=["status"])
            action = "task.requeued"
        audit_record(
            actor=None,
            action=action,
            object_type="django_tasks_db.dbtaskresult",
            object_id=task_id,
            before={"status": TaskResultStatus.RUNNING, "worker_id": worker_id},
            after={"status": row.status, "task": row.task_path, "attempts": len(row.worker_ids)},
        )
    logger.warning("%s task %s (%s) lost with worker %s", action, task_id, row.task_path, worker_id)
    return True


# --- Housekeeping --------------------------------------------------------------------------


def task_results_prune(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete finished task results older than TASK_RESULT_RETENTION_DAYS (failed ones
    after TASK_FAILED_RETENTION_DAYS) and heartbeats of workers gone for a week."""
    at = now or timezone.now()
    keep_ok = at - dt.timedelta(days=int(_setting("TASK_RESULT_RETENTION_DAYS", 14)))
    keep_failed = at - dt.timedelta(days=int(_setting("TASK_FAILED_RETENTION_DAYS", 90)))
    with transaction.atomic(durable=True):
        ok, _ = DBTaskResult.objects.successful().filter(finished_at__lt=keep_ok).delete()
        failed, _ = DBTaskResult.objects.failed().filter(finished_at__lt=keep_failed).delete()
        beats, _ = WorkerHeartbeat.objects.filter(last_seen__lt=at - dt.timedelta(days=7)).delete()
        if ok or failed or beats:
            audit_record(
                actor=None,
                action="task.results_pruned",
                object_type="django_tasks_db.dbtaskresult",
                object_id="prune",
                after={"successful": ok, "failed": failed, "heartbeats": beats},
            )
    return {"successful": ok, "failed": failed, "heartbeats": beats}

"""The worker: jobs really run; a heartbeat is kept; tasks lost by a dead worker are
requeued (and failed after too many losses); old results are pruned."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.scheduling.models import ScheduledRun, WorkerHeartbeat
from qinqing.scheduling.registry import register_periodic, unregister_periodic
from qinqing.scheduling.services import (
    scheduler_tick,
    task_results_prune,
    tasks_reap_stale,
    worker_heartbeat,
)
from qinqing.scheduling.tests import jobs
from qinqing.scheduling.worker import HeartbeatWorker


def _running_task(worker_id: str, *, started: dt.datetime, attempts: int = 1) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"period_key": "2025-03-04"}},
        task_path="qinqing.scheduling.tests.jobs.record_period",
        queue_name="scheduler",
        backend_name="default",
        run_after=timezone.now(),
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=[f"earlier-{i}" for i in range(attempts - 1)] + [worker_id],
    )


def _beat(worker_id: str, at: dt.datetime, **kwargs) -> None:
    worker_heartbeat(worker_id=worker_id, now=at)
    if kwargs:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(**kwargs)


@pytest.mark.django_db
def test_a_task_of_a_worker_with_a_stale_heartbeat_is_requeued(settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 120
    now = timezone.now()
    _beat("dead-worker", now - dt.timedelta(seconds=300))
    task = _running_task("dead-worker", started=now - dt.timedelta(seconds=400))

    assert tasks_reap_stale(now=now) == [str(task.pk)]

    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    event = AuditEvent.objects.get(action="task.requeued")
    assert event.object_id == str(task.pk)
    assert event.before["worker_id"] == "dead-worker"


@pytest.mark.django_db
def test_a_task_of_a_worker_with_a_fresh_heartbeat_is_left_alone(settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 120
    now = timezone.now()
    _beat("live-worker", now - dt.timedelta(seconds=5))
    # Long-running, but its worker is alive.
    task = _running_task("live-worker", started=now - dt.timedelta(hours=2))

    assert tasks_reap_stale(now=now) == []

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert not AuditEvent.objects.filter(action="task.requeued").exists()


@pytest.mark.django_db
def test_a_worker_that_stopped_mid_task_loses_it_at_once(settings):
    now = timezone.now()
    _beat("stopped-worker", now, stopped_at=now)
    task = _running_task("stopped-worker", started=now)

    assert tasks_reap_stale(now=now) == [str(task.pk)]


@pytest.mark.django_db
def test_a_task_without_any_heartbeat_is_lost_only_after_the_untracked_threshold(settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 120
    settings.WORKER_UNTRACKED_LOST_AFTER_SECONDS = 3600
    now = timezone.now()
    # Past the heartbeat threshold, but a plain db_worker may still be running it.
    recent = _running_task("never-beat", started=now - dt.timedelta(seconds=600))
    old = _running_task("never-beat-either", started=now - dt.timedelta(seconds=4000))

    assert tasks_reap_stale(now=now) == [str(old.pk)]
    recent.refresh_from_db()
    assert recent.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_that_keeps_losing_its_worker_is_failed(settings):
    settings.WORKER_MAX_LOST_ATTEMPTS = 3
    now = timezone.now()
    _beat("dead", now - dt.timedelta(hours=1))
    task = _running_task("dead", started=now - dt.timedelta(hours=1), attempts=3)

    tasks_reap_stale(now=now)

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "qinqing.scheduling.services.WorkerLost"
    assert AuditEvent.objects.filter(action="task.failed_worker_lost").exists()


@pytest.mark.django_db
def test_nothing_running_nothing_reaped():
    assert tasks_reap_stale() == []


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_job_really_runs_through_the_worker():
    jobs.RAN.clear()
    job = register_periodic(name="tests.e2e", task=jobs.record_period, period="day")
    try:
        run = scheduler_tick(now=timezone.now(), jobs=[job]).enqueued[0]
    finally:
        unregister_periodic("tests.e2e")
    worker = HeartbeatWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    worker.run()

    result = DBTaskResult.objects.get(pk=ScheduledRun.objects.get(pk=run.pk).task_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "ran " + run.period_key
    assert result.worker_ids == ["test-worker"]
    assert [run.period_key] == jobs.RAN
    beat = WorkerHeartbeat.objects.get(worker_id="test-worker")
    assert beat.stopped_at is not None
    assert beat.last_seen >= beat.started_at


@pytest.mark.django_db(transaction=True)
def test_run_worker_command_sends_notifications_end_to_end(settings):
    from qinqing.accounts.tests.factories import UserFactory
    from qinqing.notifications.models import Delivery, DeliveryStatus, OutboxMessage
    from qinqing.notifications.services import notify

    settings.EMAIL_BACKEND = "qinqing.notifications.email.OutboxEmailBackend"
    user = UserFactory(email="w@example.test", phone="13700000000")
    notify(recipients=[user], event_key="e2e:1", kind="k", subject="Hi", body="", channels=("email", "sms"))

    call_command(
        "run_worker", "--batch", "--no-startup-delay", "--worker-id", "cmd-worker", stdout=io.StringIO()
    )

    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert OutboxMessage.objects.count() == 2
    assert WorkerHeartbeat.objects.filter(worker_id="cmd-worker", stopped_at__isnull=False).exists()


@pytest.mark.django_db
def test_heartbeat_beat_once_records_and_reaps(settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    now = timezone.now()
    _beat("dead", now - dt.timedelta(hours=1))
    task = _running_task("dead", started=now - dt.timedelta(hours=1))
    worker = HeartbeatWorker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="beater",
        excluded_queue_names=[],
    )

    worker.beat_once(reap=True)

    assert WorkerHeartbeat.objects.get(worker_id="beater").queues == "default"
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_prune_deletes_old_results_only(settings):
    settings.TASK_RESULT_RETENTION_DAYS = 14
    settings.TASK_FAILED_RETENTION_DAYS = 90
    now = timezone.now()

    def result(status, age_days):
        return DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="x.y",
            backend_name="default",
            run_after=now,
            status=status,
            finished_at=now - dt.timedelta(days=age_days),
        )

    old_ok = result(TaskResultStatus.SUCCESSFUL, 20)
    new_ok = result(TaskResultStatus.SUCCESSFUL, 2)
    old_failed = result(TaskResultStatus.FAILED, 20)
    ancient_failed = result(TaskResultStatus.FAILED, 100)
    _beat("long-gone", now - dt.timedelta(days=30))

    counts = task_results_prune(now=now)

    assert counts == {"successful": 1, "failed": 1, "heartbeats": 1}
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {new_ok.pk, old_failed.pk}
    assert old_ok.pk not in remaining and ancient_failed.pk not in remaining

"""The scheduler: one run per (job, period) whatever happens: two schedulers at once, a
restart, the clock jumping forward (caught up, capped, skips recorded) or back."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.scheduling.models import RunStatus, ScheduledRun
from qinqing.scheduling.registry import register_periodic, unregister_periodic
from qinqing.scheduling.services import scheduler_tick
from qinqing.scheduling.tests.jobs import other_job, record_period

SH = ZoneInfo("Asia/Shanghai")


def sh(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def hourly():
    job = register_periodic(name="tests.hourly", task=record_period, period="hour")
    yield job
    unregister_periodic("tests.hourly")


@pytest.fixture
def daily_at_eight():
    job = register_periodic(name="tests.daily", task=other_job, period="day", at=dt.time(8, 0))
    yield job
    unregister_periodic("tests.daily")


def keys(job_name="tests.hourly", status=RunStatus.ENQUEUED):
    return list(
        ScheduledRun.objects.filter(job_name=job_name, status=status)
        .order_by("period_start")
        .values_list("period_key", flat=True)
    )


@pytest.mark.django_db
def test_first_tick_enqueues_the_current_period_with_its_task(hourly):
    result = scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])

    assert [r.period_key for r in result.enqueued] == ["2025-03-04T09"]
    run = ScheduledRun.objects.get()
    task_row = DBTaskResult.objects.get(pk=run.task_id)
    assert task_row.task_path == "qinqing.scheduling.tests.jobs.record_period"
    assert task_row.queue_name == "scheduler"
    assert task_row.args_kwargs["kwargs"] == {"period_key": "2025-03-04T09"}
    assert run.status == RunStatus.ENQUEUED


@pytest.mark.django_db
def test_ticking_again_in_the_same_period_does_nothing(hourly):
    scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])
    again = scheduler_tick(now=sh(2025, 3, 4, 9, 59), jobs=[hourly])

    assert again.enqueued == []
    assert ScheduledRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_restart_does_not_rerun_and_goes_on_with_the_next_period(hourly):
    scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])
    # A new process: nothing is kept in memory, the database is the scheduler's memory.
    call_command("run_scheduler", "--now", "2025-03-04T09:45+08:00", stdout=open("/dev/null", "w"))  # noqa: SIM115
    scheduler_tick(now=sh(2025, 3, 4, 10, 0), jobs=[hourly])

    assert keys() == ["2025-03-04T09", "2025-03-04T10"]
    assert DBTaskResult.objects.filter(task_path__endswith="record_period").count() == 2


@pytest.mark.django_db
def test_a_clock_jump_forward_catches_up_each_missed_period_once(hourly):
    scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])

    result = scheduler_tick(now=sh(2025, 3, 4, 13, 5), jobs=[hourly])
    scheduler_tick(now=sh(2025, 3, 4, 13, 6), jobs=[hourly])

    assert [r.period_key for r in result.enqueued] == [
        "2025-03-04T10",
        "2025-03-04T11",
        "2025-03-04T12",
        "2025-03-04T13",
    ]
    assert keys() == ["2025-03-04T09", "2025-03-04T10", "2025-03-04T11", "2025-03-04T12", "2025-03-04T13"]


@pytest.mark.django_db
def test_catch_up_is_capped_and_what_was_skipped_is_recorded(hourly, settings):
    settings.SCHEDULER_MAX_CATCH_UP = 3
    scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])

    # The clock jumps ten days ahead: 240 hours were missed.
    result = scheduler_tick(now=sh(2025, 3, 14, 9, 30), jobs=[hourly])

    assert keys() == ["2025-03-04T09", "2025-03-14T07", "2025-03-14T08", "2025-03-14T09"]
    skip = ScheduledRun.objects.get(status=RunStatus.SKIPPED)
    assert (skip.period_key, skip.skipped_through_key, skip.skipped_count) == (
        "2025-03-04T10",
        "2025-03-14T06",
        237,
    )
    assert skip.task_id == ""
    assert result.skipped == [skip]
    event = AuditEvent.objects.get(action="scheduler.periods_skipped")
    assert event.after["count"] == 237
    # Nothing more on the next tick, and the skip is not recorded twice.
    scheduler_tick(now=sh(2025, 3, 14, 9, 45), jobs=[hourly])
    assert ScheduledRun.objects.count() == 5


@pytest.mark.django_db
def test_a_skip_recorded_before_a_crash_is_not_recorded_again(hourly, settings):
    settings.SCHEDULER_MAX_CATCH_UP = 2
    scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])
    scheduler_tick(now=sh(2025, 3, 4, 20, 30), jobs=[hourly])
    # Simulate the scheduler dying after writing the skip row, before the runs.
    ScheduledRun.objects.filter(
        status=RunStatus.ENQUEUED, period_key__in=["2025-03-04T19", "2025-03-04T20"]
    ).delete()

    scheduler_tick(now=sh(2025, 3, 4, 20, 31), jobs=[hourly])

    assert ScheduledRun.objects.filter(status=RunStatus.SKIPPED).count() == 1
    assert keys()[-2:] == ["2025-03-04T19", "2025-03-04T20"]


@pytest.mark.django_db
def test_a_clock_jump_backward_runs_nothing_twice(hourly):
    scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])
    scheduler_tick(now=sh(2025, 3, 4, 10, 30), jobs=[hourly])

    back = scheduler_tick(now=sh(2025, 3, 4, 8, 15), jobs=[hourly])
    same = scheduler_tick(now=sh(2025, 3, 4, 9, 50), jobs=[hourly])

    assert back.enqueued == [] and same.enqueued == []
    assert keys() == ["2025-03-04T09", "2025-03-04T10"]
    # Once the clock passes the last run again, scheduling resumes.
    assert [r.period_key for r in scheduler_tick(now=sh(2025, 3, 4, 11, 0), jobs=[hourly]).enqueued] == [
        "2025-03-04T11"
    ]


@pytest.mark.django_db
def test_at_is_the_earliest_local_time(daily_at_eight):
    early = scheduler_tick(now=sh(2025, 3, 4, 7, 59), jobs=[daily_at_eight])
    on_time = scheduler_tick(now=sh(2025, 3, 4, 8, 0), jobs=[daily_at_eight])

    assert early.enqueued == []
    assert [r.period_key for r in on_time.enqueued] == ["2025-03-04"]
    # The next day's run waits for 08:00 too; at 07:00 nothing happens.
    assert scheduler_tick(now=sh(2025, 3, 5, 7, 0), jobs=[daily_at_eight]).enqueued == []
    assert [
        r.period_key for r in scheduler_tick(now=sh(2025, 3, 5, 9, 0), jobs=[daily_at_eight]).enqueued
    ] == ["2025-03-05"]


@pytest.mark.django_db
def test_one_broken_job_does_not_stop_the_others(hourly, monkeypatch):
    from qinqing.scheduling import services

    broken = register_periodic(name="tests.broken", task=other_job, period="hour")
    real = services._schedule_job

    def flaky(job, now):
        if job.name == "tests.broken":
            raise RuntimeError("boom")
        return real(job, now)

    monkeypatch.setattr(services, "_schedule_job", flaky)
    try:
        result = scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[broken, hourly])
    finally:
        unregister_periodic("tests.broken")

    assert [r.job_name for r in result.enqueued] == ["tests.hourly"]


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_each_period_once(hourly):
    barrier = threading.Barrier(2)
    results = []
    errors = []

    def scheduler():
        try:
            barrier.wait(timeout=10)
            results.append(scheduler_tick(now=sh(2025, 3, 4, 13, 5), jobs=[hourly]))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # Both start from a recorded run at 09:00 and must catch up 10..13 between them.
    scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])
    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert keys() == ["2025-03-04T09", "2025-03-04T10", "2025-03-04T11", "2025-03-04T12", "2025-03-04T13"]
    assert sum(len(r.enqueued) for r in results) == 4
    assert DBTaskResult.objects.count() == 5
    assert set(ScheduledRun.objects.values_list("task_id", flat=True)) == {
        str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)
    }


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_on_first_start_make_one_run(hourly):
    barrier = threading.Barrier(2)

    def scheduler():
        try:
            barrier.wait(timeout=10)
            scheduler_tick(now=sh(2025, 3, 4, 9, 30), jobs=[hourly])
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert keys() == ["2025-03-04T09"]
    assert DBTaskResult.objects.count() == 1

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.scheduling.periods import period_start
from qinqing.scheduling.registry import periodic_jobs, register_periodic, unregister_periodic
from qinqing.scheduling.tests.jobs import no_period_key, other_job, record_period


@pytest.fixture
def name():
    yield "tests.registry"
    unregister_periodic("tests.registry")


def test_register_and_list(name):
    job = register_periodic(name=name, task=record_period, period="day", at=dt.time(2, 0))

    assert job in periodic_jobs(discover=False)
    assert job.task.queue_name == "scheduler"
    start = period_start("day", dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC))
    # 02:00 in Quanzhou on 4 March is 18:00 UTC on 3 March.
    assert job.due_at(start) == dt.datetime(2025, 3, 3, 18, 0, tzinfo=dt.UTC)


def test_registering_the_same_job_again_is_harmless(name):
    register_periodic(name=name, task=record_period, period="hour")
    register_periodic(name=name, task=record_period, period="hour")
    assert [j.name for j in periodic_jobs(discover=False)].count(name) == 1


def test_a_different_job_under_a_taken_name_is_refused(name):
    register_periodic(name=name, task=record_period, period="hour")
    with pytest.raises(ValueError, match="already registered"):
        register_periodic(name=name, task=other_job, period="hour")
    with pytest.raises(ValueError, match="already registered"):
        register_periodic(name=name, task=record_period, period="day")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"period": "fortnight"}, ValueError),
        ({"period": "hour", "at": dt.time(1, 0)}, ValueError),
        ({"period": "day", "at": dt.time(1, 0, tzinfo=dt.UTC)}, ValueError),
        ({"period": "day", "task": no_period_key}, TypeError),
        ({"period": "day", "task": record_period.func}, TypeError),
        ({"period": "day", "queue": "no-such-queue"}, Exception),
        ({"period": "day", "name": ""}, ValueError),
    ],
)
def test_bad_registrations_are_refused(name, kwargs, error):
    args = {"name": name, "task": record_period} | kwargs
    with pytest.raises(error):
        register_periodic(**args)


def test_autodiscovery_finds_every_apps_jobs():
    names = {j.name for j in periodic_jobs()}
    assert {
        "notifications.daily_digest",
        "scheduling.prune_task_results",
        "scheduling.reap_lost_tasks",
    } <= names

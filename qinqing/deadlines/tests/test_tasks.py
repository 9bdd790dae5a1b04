"""The daily scan is a periodic job of the scheduler; the jobs call the services."""

from __future__ import annotations

import datetime as dt

from qinqing.deadlines.models import Alert
from qinqing.deadlines.tasks import reladder, scan_deadlines
from qinqing.scheduling.registry import periodic_jobs


def test_the_scan_is_registered_daily():
    jobs = {job.name: job for job in periodic_jobs()}
    job = jobs["deadlines.scan"]
    assert job.period == "day"
    assert job.at == dt.time(0, 10)
    assert job.task.module_path == scan_deadlines.module_path


def test_the_job_scans_the_day_of_its_period_key_and_is_safe_twice(open_item):
    open_item(dt.date(2026, 3, 10))
    first = scan_deadlines.call(period_key="2026-03-10")
    second = scan_deadlines.call(period_key="2026-03-10")
    assert first["by_rung"] == {"reminder": 1, "warning": 1}
    assert second["alerts"] == 0
    assert Alert.objects.count() == 2


def test_the_reladder_job_recomputes(open_item):
    open_item(dt.date(2026, 3, 10))
    assert reladder.call(kind="test.item") == 1

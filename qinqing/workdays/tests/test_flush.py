"""A flush (every transactional test's teardown) must not leave the platform without
its calendar: the app seeds it again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from qinqing.workdays import calendar
from qinqing.workdays.models import CalendarDay, CalendarYear


@pytest.mark.django_db(transaction=True)
def test_the_calendar_comes_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert list(CalendarYear.objects.values_list("year", flat=True)) == list(range(2020, 2028))
    assert CalendarYear.objects.get(year=2027).status == "provisional"
    assert CalendarDay.objects.filter(date=dt.date(2024, 2, 4), kind="makeup_workday").exists()
    calendar.invalidate()
    assert calendar.is_working_day(dt.date(2024, 2, 4)) is True
    assert calendar.is_working_day(dt.date(2027, 2, 8)) is False  # 正月初三, provisional


@pytest.mark.django_db(transaction=True)
def test_migrating_back_is_left_alone():
    from qinqing.workdays.apps import WorkdaysConfig, _reseed_after_flush

    CalendarYear.objects.all().delete()
    # `migrate` sends its plan: the handler must not seed behind a deliberate unapply.
    _reseed_after_flush(sender=WorkdaysConfig, plan=[("workdays", "0002", True)])
    assert not CalendarYear.objects.exists()

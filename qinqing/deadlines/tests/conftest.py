"""Test-only ladders, and helpers to open items."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.deadlines.ladders import Rung, register_ladder, unregister_ladder
from qinqing.deadlines.models import RungName
from qinqing.deadlines.services import deadline_open
from qinqing.workdays import calendar
from qinqing.workdays.calendar import DayUnit
from qinqing.workdays.testing import ensure_official_calendar

KIND = "test.item"
CALENDAR_KIND = "test.calendar_item"

# Reminder two working days before, warning on the day, alarm one working day after,
# escalation three calendar days after.
WORKING_RUNGS = [
    Rung(RungName.REMINDER, -2, DayUnit.WORKING),
    Rung(RungName.WARNING, 0, DayUnit.WORKING),
    Rung(RungName.ALARM, 1, DayUnit.WORKING),
    Rung(RungName.ESCALATION, 3, DayUnit.CALENDAR),
]
CALENDAR_RUNGS = [
    Rung(RungName.REMINDER, -7, DayUnit.CALENDAR),
    Rung(RungName.WARNING, -1, DayUnit.CALENDAR),
    Rung(RungName.ALARM, 1, DayUnit.CALENDAR),
    Rung(RungName.ESCALATION, 10, DayUnit.CALENDAR),
]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def official_calendar(db):
    ensure_official_calendar()


@pytest.fixture
def ladders(official_calendar):
    register_ladder(KIND, rungs=WORKING_RUNGS, label="Test item")
    register_ladder(CALENDAR_KIND, rungs=CALENDAR_RUNGS, label="Calendar item", clock_unit=DayUnit.CALENDAR)
    yield
    unregister_ladder(KIND)
    unregister_ladder(CALENDAR_KIND)


_counter = iter(range(1, 10**9))


@pytest.fixture
def open_item(city, ladders):
    def _open(due: dt.date, *, kind: str = KIND, organisation=None, owner="officer", **kwargs):
        owner_user = getattr(city, owner) if owner else None
        return deadline_open(
            actor=city.officer,
            kind=kind,
            object_type="test.record",
            object_id=str(next(_counter)),
            organisation=organisation or city.drc,
            due_date=due,
            owner=owner_user,
            title=kwargs.pop("title", "测试事项"),
            **kwargs,
        )

    return _open

"""Rung dates in calendar and working days, across holidays; ladder declarations."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.common.errors import ValidationFailed
from qinqing.deadlines.ladders import (
    Rung,
    effective_rungs,
    register_ladder,
    rung_dates,
    rungs_from_json,
    unregister_ladder,
    validate_rungs,
)
from qinqing.deadlines.models import RungName
from qinqing.workdays.calendar import CalendarYearNotSeeded, DayUnit, current_calendar

from .conftest import CALENDAR_RUNGS, KIND, WORKING_RUNGS

D = dt.date
pytestmark = pytest.mark.usefixtures("ladders")


def _dates(rungs, due):
    return [(r.rung, r.on_date) for r in rung_dates(rungs, due, current_calendar())]


def test_working_day_rungs_step_over_national_day_2026():
    # Due Friday 2026-10-09: 10-01..07 are off, Saturday 10-10 is a make-up working day.
    assert _dates(WORKING_RUNGS, D(2026, 10, 9)) == [
        ("reminder", D(2026, 9, 30)),  # two working days back: 10-08, then 09-30
        ("warning", D(2026, 10, 9)),
        ("alarm", D(2026, 10, 10)),  # the make-up Saturday
        ("escalation", D(2026, 10, 12)),  # three calendar days
    ]


def test_working_day_rungs_around_the_2025_spring_festival():
    # Due Thursday 2025-02-06; 01-28..02-04 off, Saturday 02-08 worked.
    assert _dates(WORKING_RUNGS, D(2025, 2, 6)) == [
        ("reminder", D(2025, 1, 27)),  # one back is 02-05, two back skips the break
        ("warning", D(2025, 2, 6)),
        ("alarm", D(2025, 2, 7)),
        ("escalation", D(2025, 2, 9)),
    ]


def test_two_working_days_before_the_day_after_the_spring_festival():
    # Wednesday 2025-02-05 is the first working day after the break; two working days
    # before it are Monday 01-27 and Sunday 01-26 (make-up).
    rungs = [Rung(RungName.REMINDER, -2, DayUnit.WORKING), Rung(RungName.ALARM, 1, DayUnit.WORKING)]
    assert _dates(rungs, D(2025, 2, 5)) == [("reminder", D(2025, 1, 26)), ("alarm", D(2025, 2, 6))]


def test_calendar_day_rungs_ignore_holidays():
    assert _dates(CALENDAR_RUNGS, D(2026, 10, 1)) == [
        ("reminder", D(2026, 9, 24)),
        ("warning", D(2026, 9, 30)),
        ("alarm", D(2026, 10, 2)),
        ("escalation", D(2026, 10, 11)),
    ]


def test_rungs_order_by_the_date_they_fall_on_then_severity():
    rungs = [
        Rung(RungName.ALARM, 0, DayUnit.WORKING),
        Rung(RungName.WARNING, 0, DayUnit.CALENDAR),
        Rung(RungName.REMINDER, 5, DayUnit.CALENDAR),
    ]
    # Due Saturday 2026-03-07: the alarm's "0 working days" is the date itself.
    dated = rung_dates(rungs, D(2026, 3, 7), current_calendar())
    assert [(r.rung, r.position) for r in dated] == [("warning", 0), ("alarm", 1), ("reminder", 2)]


def test_a_working_day_rung_in_an_unseeded_year_raises():
    # 2027 is provisional, 2028 unknown: the alarm one working day after 2027-12-31 is refused.
    with pytest.raises(CalendarYearNotSeeded):
        rung_dates(WORKING_RUNGS, D(2027, 12, 31), current_calendar())
    # Calendar-day rungs need no calendar.
    assert _dates(CALENDAR_RUNGS, D(2028, 6, 1))[0] == ("reminder", D(2028, 5, 25))


@pytest.mark.parametrize(
    "rungs",
    [
        [],
        [Rung("nudge", 0)],
        [Rung(RungName.ALARM, 0), Rung(RungName.ALARM, 1)],
        [Rung(RungName.ALARM, 0, "fortnights")],
        [Rung(RungName.ALARM, 5000)],
        [Rung(RungName.ALARM, True)],
    ],
)
def test_bad_ladders_are_refused(rungs):
    with pytest.raises(ValidationFailed):
        validate_rungs(rungs)


def test_json_form_round_trips_and_rejects_junk():
    rungs = rungs_from_json(
        [{"name": "warning", "offset": -3, "unit": "working"}, {"name": "alarm", "offset": 1}]
    )
    assert rungs == (Rung("warning", -3, "working"), Rung("alarm", 1, "working"))
    for junk in ("warning", [1], [{"name": "alarm", "colour": "red"}], [{"offset": 1}]):
        with pytest.raises(ValidationFailed):
            rungs_from_json(junk)


def test_item_override_beats_kind_override_beats_code():
    item = [{"name": "alarm", "offset": 2, "unit": "calendar"}]
    kind = [{"name": "warning", "offset": -1, "unit": "calendar"}]
    assert effective_rungs(KIND, item_override=item, kind_override=kind) == (Rung("alarm", 2, "calendar"),)
    assert effective_rungs(KIND, kind_override=kind) == (Rung("warning", -1, "calendar"),)
    assert effective_rungs(KIND) == tuple(WORKING_RUNGS)


def test_an_undeclared_kind_is_refused():
    with pytest.raises(ValidationFailed):
        effective_rungs("no.such.kind")


def test_register_validates_the_declaration():
    with pytest.raises(ValidationFailed):
        register_ladder("test.bad", rungs=[Rung(RungName.ALARM, 0), Rung(RungName.ALARM, 2)])
    with pytest.raises(ValueError, match="clock unit"):
        register_ladder("test.bad", rungs=[Rung(RungName.ALARM, 0)], clock_unit="weeks")
    unregister_ladder("test.bad")

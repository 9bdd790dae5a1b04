"""Working-day arithmetic against known dates of 2024-2026."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.workdays import calendar
from qinqing.workdays.calendar import CalendarYearNotSeeded, DayUnit, WorkCalendar
from qinqing.workdays.models import (
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    DayKind,
    HolidayName,
    YearStatus,
)
from qinqing.workdays.services import calendar_day_create, calendar_day_delete, calendar_year_set

D = dt.date

pytestmark = pytest.mark.usefixtures("official_calendar")


# --- is_working_day -----------------------------------------------------------------------

WORKING = [
    D(2024, 2, 4),  # Sunday, Spring Festival make-up
    D(2024, 2, 18),  # Sunday, Spring Festival make-up
    D(2024, 9, 29),  # Sunday, National Day make-up
    D(2024, 10, 12),  # Saturday, National Day make-up
    D(2025, 1, 26),  # Sunday
    D(2025, 2, 8),  # Saturday
    D(2025, 9, 28),  # Sunday
    D(2025, 10, 11),  # Saturday
    D(2026, 1, 4),  # Sunday
    D(2026, 2, 14),  # Saturday
    D(2026, 2, 28),  # Saturday
    D(2026, 5, 9),  # Saturday
    D(2026, 9, 20),  # Sunday
    D(2026, 10, 10),  # Saturday
    D(2026, 2, 24),  # Tuesday after the Spring Festival break
    D(2025, 10, 9),  # Thursday after the 8-day National Day break
]

NOT_WORKING = [
    *[D(2024, 10, d) for d in range(1, 8)],
    *[D(2025, 1, 28) + dt.timedelta(days=i) for i in range(8)],  # 01-28 .. 02-04
    *[D(2025, 10, d) for d in range(1, 9)],
    *[D(2026, 1, d) for d in range(1, 4)],
    *[D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)],  # 02-15 .. 02-23
    *[D(2026, 4, d) for d in range(4, 7)],
    *[D(2026, 5, d) for d in range(1, 6)],
    *[D(2026, 6, d) for d in range(19, 22)],
    *[D(2026, 9, d) for d in range(25, 28)],
    *[D(2026, 10, d) for d in range(1, 8)],
    D(2024, 2, 10),  # Saturday inside the break
    D(2026, 3, 1),  # an ordinary Sunday
]


@pytest.mark.parametrize("day", WORKING, ids=str)
def test_working_days(day):
    assert calendar.is_working_day(day) is True


@pytest.mark.parametrize("day", NOT_WORKING, ids=str)
def test_days_off(day):
    assert calendar.is_working_day(day) is False


def test_ordinary_weeks_follow_the_weekday():
    assert calendar.is_working_day(D(2026, 3, 2)) is True  # Monday
    assert calendar.is_working_day(D(2026, 3, 7)) is False  # Saturday


# --- add_working_days ---------------------------------------------------------------------


def test_add_counts_after_start_and_skips_the_spring_festival():
    # Friday 2026-02-13; Saturday 02-14 is a make-up working day; 02-15..23 off.
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert calendar.add_working_days(D(2026, 2, 14), 5) == D(2026, 2, 28)  # 24,25,26,27,28(Sat)


def test_add_across_national_day_2025():
    # Friday 2025-09-26 → Sunday 09-28 (make-up), Mon 29, Tue 30, then 10-01..08 off, Thu 10-09.
    assert calendar.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert calendar.add_working_days(D(2025, 9, 26), 4) == D(2025, 10, 9)
    assert calendar.add_working_days(D(2025, 9, 26), 6) == D(2025, 10, 11)  # Saturday make-up


def test_add_from_a_holiday_starts_counting_at_the_next_working_day():
    assert calendar.add_working_days(D(2024, 10, 1), 1) == D(2024, 10, 8)
    assert calendar.add_working_days(D(2024, 10, 3), 5) == D(2024, 10, 12)  # 8,9,10,11,12(Sat)


def test_add_zero_returns_start_even_on_a_holiday():
    assert calendar.add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 1)
    assert calendar.add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_add_negative_counts_back_before_start():
    # 2026-02-24 (Tue): the working day before it is the make-up Saturday 02-14.
    assert calendar.add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 24), -2) == D(2026, 2, 13)
    assert calendar.previous_working_day(D(2025, 10, 9)) == D(2025, 9, 30)


def test_add_across_the_year_boundary_between_known_years():
    # Wed 2025-12-31 → Thu 2026-01-01..Sat 01-03 off, Sun 01-04 make-up.
    assert calendar.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert calendar.add_working_days(D(2026, 1, 4), -1) == D(2025, 12, 31)


def test_add_and_between_are_inverse():
    start = D(2024, 1, 15)
    for n in (-40, -7, -1, 0, 1, 3, 19, 250):
        assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


# --- working_days_between ----------------------------------------------------------------


def test_between_counts_the_half_open_interval():
    # (Fri 2026-02-13, Tue 02-24]: Sat 02-14 and Tue 02-24.
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert calendar.working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 13)) == 0


def test_working_days_per_year():
    assert calendar.working_days_between(D(2023, 12, 31), D(2024, 12, 31)) == 251
    assert calendar.working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 248
    assert calendar.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


# --- next working day, add_days ----------------------------------------------------------


def test_next_working_day_and_roll_forward():
    assert calendar.next_working_day(D(2026, 9, 30)) == D(2026, 10, 8)
    assert calendar.next_working_day(D(2026, 3, 2)) == D(2026, 3, 3)
    assert calendar.working_day_on_or_after(D(2026, 3, 2)) == D(2026, 3, 2)
    assert calendar.working_day_on_or_after(D(2026, 10, 3)) == D(2026, 10, 8)


def test_add_days_by_unit():
    assert calendar.add_days(D(2026, 9, 30), 1, DayUnit.WORKING) == D(2026, 10, 8)
    assert calendar.add_days(D(2026, 9, 30), 1, "calendar") == D(2026, 10, 1)
    assert calendar.add_days(D(2026, 9, 30), -30, DayUnit.CALENDAR) == D(2026, 8, 31)
    with pytest.raises(ValueError, match="unknown day unit"):
        calendar.add_days(D(2026, 9, 30), 1, "fortnights")


def test_bulk_add_matches_single_answers():
    snapshot = calendar.current_calendar()
    starts = [D(2024, 1, 1) + dt.timedelta(days=i) for i in range(0, 900, 7)]
    assert snapshot.add_days_many(starts, 10, DayUnit.WORKING) == [
        calendar.add_working_days(s, 10) for s in starts
    ]
    assert calendar.add_days_many(starts, -3, "calendar") == [s - dt.timedelta(days=3) for s in starts]


# --- unknown years ---------------------------------------------------------------------------


def test_a_date_in_an_unseeded_year_raises_naming_the_year():
    with pytest.raises(CalendarYearNotSeeded) as info:
        calendar.is_working_day(D(2028, 3, 1))
    assert info.value.year == 2028
    assert info.value.code == "calendar_year_not_seeded"
    assert "2028" in str(info.value.message)


def test_crossing_into_an_unseeded_year_raises():
    # 2027 is provisional, 2028 has no record at all.
    assert calendar.add_working_days(D(2027, 12, 30), 1) == D(2027, 12, 31)
    with pytest.raises(CalendarYearNotSeeded) as info:
        calendar.add_working_days(D(2027, 12, 30), 2)
    assert info.value.year == 2028
    with pytest.raises(CalendarYearNotSeeded) as info:
        calendar.add_working_days(D(2020, 1, 2), -2)
    assert info.value.year == 2019
    with pytest.raises(CalendarYearNotSeeded):
        calendar.working_days_between(D(2027, 12, 1), D(2028, 1, 10))


def test_n_zero_in_an_unseeded_year_still_raises():
    with pytest.raises(CalendarYearNotSeeded):
        calendar.add_working_days(D(2031, 5, 5), 0)


def test_calendar_days_never_need_the_calendar():
    assert calendar.add_days(D(2031, 5, 5), 10) == D(2031, 5, 15)


def test_an_incomplete_year_between_known_years_is_refused(city):
    calendar_year_set(actor=city.admin, year=2024, status=YearStatus.INCOMPLETE)
    with pytest.raises(CalendarYearNotSeeded) as info:
        calendar.add_working_days(D(2023, 12, 29), 30)
    assert info.value.year == 2024
    assert calendar.add_working_days(D(2023, 12, 1), 3) == D(2023, 12, 6)
    with pytest.raises(CalendarYearNotSeeded):
        calendar.working_days_between(D(2023, 6, 1), D(2025, 6, 1))


def test_message_is_translated(settings):
    from django.utils import translation

    error = CalendarYearNotSeeded(2027)
    with translation.override("en"):
        assert str(error.message).startswith("The working-day calendar for 2027 has not been entered")
    with translation.override("zh-hans"):
        assert "2027" in str(error.message)
        assert "工作日" in str(error.message)


# --- the cache --------------------------------------------------------------------------------


def test_an_edit_is_seen_at_once_by_the_editing_process(city):
    day = D(2026, 3, 2)  # an ordinary Monday
    assert calendar.is_working_day(day) is True
    created = calendar_day_create(actor=city.admin, date=day, kind=DayKind.HOLIDAY, name=HolidayName.OTHER)
    assert calendar.is_working_day(day) is False
    calendar_day_delete(actor=city.admin, day=created)
    assert calendar.is_working_day(day) is True


def test_an_edit_by_another_process_is_seen_after_the_revision_check(monkeypatch):
    day = D(2026, 3, 3)
    clock = [1000.0]
    monkeypatch.setattr(calendar.time, "monotonic", lambda: clock[0])
    calendar.invalidate()
    assert calendar.is_working_day(day) is True
    # Another process edits the table and bumps the revision behind this one's back.
    CalendarDay.objects.create(date=day, kind=DayKind.HOLIDAY, name=HolidayName.OTHER)
    CalendarRevision.objects.filter(pk=1).update(number=999)
    clock[0] += calendar.REVISION_CHECK_SECONDS / 2
    assert calendar.is_working_day(day) is True  # still cached: no query yet
    clock[0] += calendar.REVISION_CHECK_SECONDS
    assert calendar.is_working_day(day) is False


def test_the_cached_snapshot_answers_without_queries(django_assert_num_queries):
    calendar.current_calendar()
    with django_assert_num_queries(0):
        for i in range(500):
            calendar.is_working_day(D(2025, 1, 1) + dt.timedelta(days=i))


def test_marking_a_year_complete_makes_it_known(city):
    with pytest.raises(CalendarYearNotSeeded):
        calendar.is_working_day(D(2028, 3, 1))
    calendar_year_set(actor=city.admin, year=2028, status=YearStatus.COMPLETE, source="test")
    assert calendar.is_working_day(D(2028, 3, 1)) is True  # a Wednesday
    assert CalendarYear.objects.get(year=2028).is_complete


# --- the snapshot on its own ----------------------------------------------------------------


def test_an_empty_calendar_knows_no_year():
    empty = WorkCalendar.build(revision=0, complete_years=[], days=[])
    with pytest.raises(CalendarYearNotSeeded):
        empty.is_working_day(D(2026, 1, 5))
    with pytest.raises(CalendarYearNotSeeded):
        empty.add_working_days(D(2026, 1, 5), 0)

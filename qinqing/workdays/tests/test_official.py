"""The seeded State Council arrangements, checked against the rules they follow."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.workdays.models import CalendarDay, CalendarYear, DayKind, HolidayName, YearStatus
from qinqing.workdays.official import ARRANGEMENTS, PROVISIONAL, seed_days

# Statutory days off a year: 11 until 2024, 13 from 2025 (Spring Festival and Labour Day
# one day longer). The 2020 extension against the epidemic cost two more working days:
# Friday 31 January off, and Saturday 1 February no longer worked.
STATUTORY = {2020: 13, 2021: 11, 2022: 11, 2023: 11, 2024: 11, 2025: 13, 2026: 13}


@pytest.mark.parametrize("year", sorted(ARRANGEMENTS))
def test_make_up_working_days_fall_on_weekends(year):
    makeups = [d.date for d in seed_days(year) if d.kind == DayKind.MAKEUP_WORKDAY]
    assert makeups
    assert all(day.weekday() >= 5 for day in makeups)


@pytest.mark.parametrize("year", sorted(ARRANGEMENTS))
def test_each_year_loses_exactly_its_statutory_days(year):
    # Weekday holidays minus weekend days worked is what a year's arrangement costs.
    days = [d for d in seed_days(year) if d.date.year == year]
    weekday_holidays = sum(1 for d in days if d.kind == DayKind.HOLIDAY and d.date.weekday() < 5)
    makeups = sum(1 for d in days if d.kind == DayKind.MAKEUP_WORKDAY)
    assert weekday_holidays - makeups == STATUTORY[year]


@pytest.mark.parametrize("year", sorted(ARRANGEMENTS))
def test_no_date_is_listed_twice(year):
    dates = [d.date for d in seed_days(year)]
    assert len(dates) == len(set(dates))


def test_2025_spring_festival_starts_on_new_years_eve_and_labour_day_has_five_days():
    spring = [
        d.date for d in seed_days(2025) if d.name == HolidayName.SPRING_FESTIVAL and d.kind == DayKind.HOLIDAY
    ]
    assert spring[0] == dt.date(2025, 1, 28)  # 除夕
    assert len(spring) == 8
    labour = [
        d.date for d in seed_days(2025) if d.name == HolidayName.LABOUR_DAY and d.kind == DayKind.HOLIDAY
    ]
    assert labour == [dt.date(2025, 5, d) for d in range(1, 6)]


@pytest.mark.django_db
def test_the_data_migrations_seeded_2020_to_2026_complete_and_2027_provisional():
    assert list(
        CalendarYear.objects.filter(status=YearStatus.COMPLETE).values_list("year", flat=True)
    ) == list(range(2020, 2027))
    assert list(
        CalendarYear.objects.filter(status=YearStatus.PROVISIONAL).values_list("year", flat=True)
    ) == [2027]
    expected = {d.date for year in range(2020, 2028) for d in seed_days(year)}
    assert set(CalendarDay.objects.values_list("date", flat=True)) == expected
    assert all(
        r.source.startswith("国务院办公厅关于")
        for r in CalendarYear.objects.filter(status=YearStatus.COMPLETE)
    )
    assert "暂定" in CalendarYear.objects.get(year=2027).source
    new_years_eve = CalendarDay.objects.get(date=dt.date(2022, 12, 31))
    assert (new_years_eve.kind, new_years_eve.name) == (DayKind.HOLIDAY, HolidayName.NEW_YEAR)


# --- provisional years ------------------------------------------------------------------------


def test_provisional_2027_is_the_statutory_minimum_on_its_2027_dates():
    assert 2027 not in ARRANGEMENTS
    days = list(seed_days(2027))
    assert all(d.kind == DayKind.HOLIDAY for d in days)  # no make-up working days: unknown
    by_name: dict[str, list[dt.date]] = {}
    for d in days:
        by_name.setdefault(d.name, []).append(d.date)
    D = dt.date
    assert by_name == {
        HolidayName.NEW_YEAR: [D(2027, 1, 1)],
        # 除夕 (腊月廿九) and 正月初一 to 初三.
        HolidayName.SPRING_FESTIVAL: [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)],
        HolidayName.QINGMING: [D(2027, 4, 5)],
        HolidayName.LABOUR_DAY: [D(2027, 5, 1), D(2027, 5, 2)],
        HolidayName.DRAGON_BOAT: [D(2027, 6, 9)],
        HolidayName.MID_AUTUMN: [D(2027, 9, 15)],
        HolidayName.NATIONAL_DAY: [D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)],
    }
    assert len(days) == 13  # the statutory days since 2025
    assert "暂定" in PROVISIONAL[2027].source
    assert "国务院办公厅" in PROVISIONAL[2027].source

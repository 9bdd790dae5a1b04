"""Reads of the working-day calendar (public structure: any signed-in user may read)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .calendar import CalendarYearNotSeeded, current_calendar
from .models import CalendarDay, CalendarYear, DayKind


def calendar_days_of_year(year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def calendar_years() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.order_by("year")


def calendar_day_get(day_id: int) -> CalendarDay | None:
    return CalendarDay.objects.filter(pk=day_id).first()


def calendar_year_choices() -> list[int]:
    """Years worth offering on the admin page: those with a record or listed days,
    and this year and the next (the next year's notice is entered late each year)."""
    this_year = timezone.localdate().year
    years = set(CalendarYear.objects.values_list("year", flat=True))
    years.update(d.year for d in CalendarDay.objects.dates("date", "year"))
    years.update({this_year, this_year + 1})
    return sorted(years)


@dataclass(frozen=True)
class YearSummary:
    year: int
    record: CalendarYear | None
    holidays: int
    weekday_holidays: int
    makeup_workdays: int
    # Working days in the year, when the year is complete or provisional; None otherwise.
    working_days: int | None


def calendar_year_summary(year: int, days: list[CalendarDay] | None = None) -> YearSummary:
    listed = days if days is not None else list(calendar_days_of_year(year))
    holidays = [d for d in listed if d.kind == DayKind.HOLIDAY]
    makeups = [d for d in listed if d.kind == DayKind.MAKEUP_WORKDAY]
    record = CalendarYear.objects.filter(year=year).first()
    working: int | None
    try:
        working = len(current_calendar().working_days_in(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    except CalendarYearNotSeeded:
        working = None
    return YearSummary(
        year=year,
        record=record,
        holidays=len(holidays),
        weekday_holidays=sum(1 for d in holidays if d.date.weekday() < 5),
        makeup_workdays=len(makeups),
        working_days=working,
    )

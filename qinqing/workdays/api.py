"""The working-day calendar over JSON: read by anyone signed in, edited by admins.

Answers that may rest on a provisional year (see `calendar.py`) list it in
`provisional_years`; an empty list means every year involved is complete."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from qinqing.common.errors import NotFound, ValidationFailed

from . import calendar, services
from .models import FIRST_YEAR, LAST_YEAR, CalendarDay, CalendarYear, HolidayName, YearStatus
from .selectors import calendar_day_get, calendar_days_of_year, calendar_year_summary, calendar_years

router = Router(tags=["calendar"])

KindLiteral = Literal["holiday", "makeup_workday"]
UnitLiteral = Literal["calendar", "working"]
StatusLiteral = Literal["incomplete", "provisional", "complete"]
PROVISIONAL_HELP = (
    "Provisional years (statutory holidays only, pending the State Council's notice) the answer "
    "rests on; empty when every year involved is complete."
)
# Ten years either way: enough for any time limit, small enough to stay a typo check.
MAX_OFFSET = 3660


class YearOut(Schema):
    year: int
    status: StatusLiteral = Field(
        ...,
        description="complete: the official arrangement; provisional: an assumption, flagged in "
        "answers; incomplete: answers touching the year are refused (409).",
    )
    status_display: str
    complete: bool = Field(..., description="status == complete")
    source: str
    holidays: int
    makeup_workdays: int
    working_days: int | None = Field(
        None, description="Working days in the year; null unless complete or provisional."
    )


class DayOut(Schema):
    id: int
    date: dt.date
    kind: str
    kind_display: str
    name: str
    name_display: str
    note: str


class DayIn(Schema):
    date: dt.date
    kind: KindLiteral
    name: str = Field(..., description="One of: " + ", ".join(HolidayName.values))
    note: str = Field("", max_length=200)


class YearIn(Schema):
    status: StatusLiteral | None = None
    complete: bool | None = Field(
        None, description="Older form of status: true is complete, false incomplete. Give one of the two."
    )
    source: str = Field("", max_length=300)


class CheckOut(Schema):
    date: dt.date
    working: bool
    kind: str | None = Field(None, description="holiday or makeup_workday when the day is listed")
    name: str | None = None
    name_display: str | None = None
    provisional_years: list[int] = Field(..., description=PROVISIONAL_HELP)


class AddOut(Schema):
    start: dt.date
    n: int
    unit: str
    result: dt.date
    provisional_years: list[int] = Field(..., description=PROVISIONAL_HELP)


class BetweenOut(Schema):
    a: dt.date
    b: dt.date
    working_days: int = Field(..., description="Working days in (a, b]; negative when b < a.")
    provisional_years: list[int] = Field(..., description=PROVISIONAL_HELP)


def _day_out(day: CalendarDay) -> DayOut:
    return DayOut(
        id=day.pk,
        date=day.date,
        kind=day.kind,
        kind_display=str(day.get_kind_display()),
        name=day.name,
        name_display=str(day.get_name_display()),
        note=day.note,
    )


def _year_out(record: CalendarYear) -> YearOut:
    summary = calendar_year_summary(record.year)
    return YearOut(
        year=record.year,
        status=record.status,  # type: ignore[arg-type]
        status_display=str(record.get_status_display()),
        complete=record.is_complete,
        source=record.source,
        holidays=summary.holidays,
        makeup_workdays=summary.makeup_workdays,
        working_days=summary.working_days,
    )


@router.get("/years", response=list[YearOut], summary="Years entered and the status of each")
def list_years(request: HttpRequest) -> list[YearOut]:
    return [_year_out(r) for r in calendar_years()]


@router.get("/days", response=list[DayOut], summary="The listed days of one year")
def list_days(request: HttpRequest, year: int) -> list[DayOut]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(fields={"year": [str(_("This value is out of range."))]})
    return [_day_out(d) for d in calendar_days_of_year(year)]


@router.get("/check", response=CheckOut, summary="Is a date a working day?")
def check(request: HttpRequest, date: dt.date) -> CheckOut:
    snapshot = calendar.current_calendar()
    working = snapshot.is_working_day(date)
    listed = CalendarDay.objects.filter(date=date).first()
    return CheckOut(
        date=date,
        working=working,
        kind=listed.kind if listed else None,
        name=listed.name if listed else None,
        name_display=str(listed.get_name_display()) if listed else None,
        provisional_years=snapshot.provisional_years_between(date, date),
    )


@router.get("/add", response=AddOut, summary="Add calendar or working days to a date")
def add(request: HttpRequest, start: dt.date, n: int, unit: UnitLiteral = "working") -> AddOut:
    if abs(n) > MAX_OFFSET:
        raise ValidationFailed(fields={"n": [str(_("This value is out of range."))]})
    if unit == calendar.DayUnit.CALENDAR:
        # Calendar days need no calendar: nothing is assumed (and no year is refused).
        return AddOut(
            start=start, n=n, unit=unit, result=calendar.add_days(start, n, unit), provisional_years=[]
        )
    snapshot = calendar.current_calendar()
    result = snapshot.add_days(start, n, unit)
    return AddOut(
        start=start,
        n=n,
        unit=unit,
        result=result,
        provisional_years=snapshot.provisional_years_between(start, result),
    )


@router.get("/between", response=BetweenOut, summary="Working days between two dates")
def between(request: HttpRequest, a: dt.date, b: dt.date) -> BetweenOut:
    snapshot = calendar.current_calendar()
    return BetweenOut(
        a=a,
        b=b,
        working_days=snapshot.working_days_between(a, b),
        provisional_years=snapshot.provisional_years_between(a, b),
    )


@router.post("/days", response={201: DayOut}, summary="Add a day (admin)")
def create_day(request: HttpRequest, payload: DayIn) -> Status:
    day = services.calendar_day_create(
        actor=request.user, date=payload.date, kind=payload.kind, name=payload.name, note=payload.note
    )
    return Status(201, _day_out(day))


@router.put("/days/{day_id}", response=DayOut, summary="Change a day (admin)")
def update_day(request: HttpRequest, day_id: int, payload: DayIn) -> DayOut:
    # Refused before the look-up, so that a non-admin learns nothing from a 404.
    services.require_calendar_admin(request.user)
    day = calendar_day_get(day_id)
    if day is None:
        raise NotFound()
    day = services.calendar_day_update(
        actor=request.user,
        day=day,
        date=payload.date,
        kind=payload.kind,
        name=payload.name,
        note=payload.note,
    )
    return _day_out(day)


@router.delete("/days/{day_id}", response={204: None}, summary="Remove a day (admin)")
def delete_day(request: HttpRequest, day_id: int) -> Status:
    # Refused before the look-up, so that a non-admin learns nothing from a 404.
    services.require_calendar_admin(request.user)
    day = calendar_day_get(day_id)
    if day is None:
        raise NotFound()
    services.calendar_day_delete(actor=request.user, day=day)
    return Status(204, None)


@router.put("/years/{year}", response=YearOut, summary="Set a year's status (admin)")
def set_year(request: HttpRequest, year: int, payload: YearIn) -> YearOut:
    # Refused before the input is judged, so that a non-admin learns nothing from a 400.
    services.require_calendar_admin(request.user)
    status: str
    if payload.status is not None:
        status = payload.status
    elif payload.complete is not None:
        status = YearStatus.COMPLETE if payload.complete else YearStatus.INCOMPLETE
    else:
        raise ValidationFailed(fields={"status": [str(_("Choose complete, provisional or not complete."))]})
    record = services.calendar_year_set(actor=request.user, year=year, status=status, source=payload.source)
    return _year_out(record)

"""Calendar edits: admin only, validated, audited, and bumping the revision."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import PermissionDenied, ValidationFailed
from qinqing.workdays.models import (
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    DayKind,
    HolidayName,
    YearStatus,
)
from qinqing.workdays.services import (
    calendar_day_create,
    calendar_day_delete,
    calendar_day_update,
    calendar_year_set,
)

D = dt.date


def _revision():
    return CalendarRevision.objects.get(pk=1).number


@pytest.mark.django_db
def test_create_update_delete_are_audited_and_bump_the_revision(city):
    start = _revision()
    day = calendar_day_create(
        actor=city.admin, date=D(2028, 1, 1), kind=DayKind.HOLIDAY, name=HolidayName.NEW_YEAR, note="  试录  "
    )
    assert day.note == "试录"
    calendar_day_update(
        actor=city.admin, day=day, date=D(2028, 1, 2), kind=DayKind.MAKEUP_WORKDAY, name=HolidayName.NEW_YEAR
    )
    day.refresh_from_db()
    assert (day.date, day.kind) == (D(2028, 1, 2), DayKind.MAKEUP_WORKDAY)
    calendar_day_delete(actor=city.admin, day=day)
    assert not CalendarDay.objects.filter(date__year=2028).exists()
    assert _revision() == start + 3
    events = list(AuditEvent.objects.filter(action__startswith="calendar.day.").order_by("id"))
    assert [e.action for e in events] == ["calendar.day.create", "calendar.day.update", "calendar.day.delete"]
    assert events[1].before["date"] == "2028-01-01"
    assert events[1].after["kind"] == "makeup_workday"
    assert events[2].actor_id == city.admin.pk


@pytest.mark.django_db
def test_year_set_creates_then_updates_and_is_audited(city):
    record = calendar_year_set(
        actor=city.admin,
        year=2028,
        status=YearStatus.INCOMPLETE,
        source="国务院办公厅关于2028年部分节假日安排的通知",
    )
    assert not record.is_complete
    calendar_year_set(actor=city.admin, year=2028, status=YearStatus.COMPLETE, source=record.source)
    assert CalendarYear.objects.get(year=2028).is_complete
    events = AuditEvent.objects.filter(action="calendar.year.set").order_by("id")
    assert [e.after["status"] for e in events] == ["incomplete", "complete"]
    assert events.last().before == {"status": "incomplete", "source": record.source}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "head", "supervisor", "enterprise_user"])
def test_only_admins_edit(city, who):
    with pytest.raises(PermissionDenied):
        calendar_day_create(actor=getattr(city, who), date=D(2028, 1, 1), kind="holiday", name="new_year")
    with pytest.raises(PermissionDenied):
        calendar_year_set(actor=getattr(city, who), year=2027, status=YearStatus.COMPLETE)
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


@pytest.mark.django_db
def test_bad_input_is_refused_per_field(city):
    with pytest.raises(ValidationFailed) as info:
        calendar_day_create(actor=city.admin, date=D(2028, 1, 5), kind="makeup_workday", name="new_year")
    assert "date" in info.value.fields  # a Wednesday cannot be a make-up working day
    with pytest.raises(ValidationFailed) as info:
        calendar_day_create(actor=city.admin, date=D(2028, 1, 5), kind="vacation", name="bonus")
    assert set(info.value.fields) == {"kind", "name"}
    with pytest.raises(ValidationFailed) as info:
        calendar_day_create(actor=city.admin, date=D(2026, 10, 1), kind="holiday", name="national_day")
    assert "date" in info.value.fields  # already listed
    with pytest.raises(ValidationFailed):
        calendar_year_set(actor=city.admin, year=1900, status=YearStatus.COMPLETE)
    with pytest.raises(ValidationFailed) as info:
        calendar_year_set(actor=city.admin, year=2028, status="official")
    assert "status" in info.value.fields
    assert CalendarDay.objects.filter(date__year=2028).count() == 0
    assert not CalendarYear.objects.filter(year=2028).exists()

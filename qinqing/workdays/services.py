"""Edits of the working-day calendar. Admin only; each edit is audited, bumps the
calendar revision so that every process reloads its cached calendar, and sends
`signals.calendar_changed` (in its transaction) so that stored dates computed from the
edited years are recomputed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .calendar import invalidate_after_edit
from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    DayKind,
    HolidayName,
    YearStatus,
)
from .signals import calendar_changed


def require_calendar_admin(actor: Any) -> None:
    if not scope_for(actor).is_admin:
        raise PermissionDenied(_("Only an administrator may edit the working-day calendar."))


def _bump_revision() -> int:
    """Raise the revision inside the edit's transaction (the row lock also queues
    concurrent edits)."""
    updated = CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
        CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1)
    invalidate_after_edit()
    return int(CalendarRevision.objects.values_list("number", flat=True).get(pk=1))


def _announce(years: set[int], revision: int) -> None:
    calendar_changed.send(sender=CalendarYear, years=sorted(years), revision=revision)


def _check_year(year: int, field: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            fields={
                field: [
                    str(
                        _("Enter a year between %(first)d and %(last)d.")
                        % {"first": FIRST_YEAR, "last": LAST_YEAR}
                    )
                ]
            }
        )


def _clean_day(*, date: dt.date, kind: str, name: str, note: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in DayKind.values:
        errors["kind"] = [str(_("Choose holiday or make-up working day."))]
    if name not in HolidayName.values:
        errors["name"] = [str(_("Choose a festival from the list."))]
    if kind == DayKind.MAKEUP_WORKDAY and date.weekday() < 5:
        errors["date"] = [str(_("A make-up working day falls on a Saturday or Sunday."))]
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        errors.setdefault("date", []).append(
            str(_("Enter a date between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR})
        )
    if len(note) > 200:
        errors["note"] = [str(_("At most 200 characters."))]
    return errors


def _snapshot(day: CalendarDay) -> dict[str, Any]:
    return {"date": day.date.isoformat(), "kind": day.kind, "name": day.name, "note": day.note}


def lock_calendar_day(day_id: int) -> CalendarDay:
    day = CalendarDay.objects.select_for_update().filter(pk=day_id).first()
    if day is None:
        raise NotFound()
    return day


def calendar_day_create(*, actor: Any, date: dt.date, kind: str, name: str, note: str = "") -> CalendarDay:
    require_calendar_admin(actor)
    note = note.strip()
    errors = _clean_day(date=date, kind=kind, name=name, note=note)
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        with transaction.atomic(durable=True):
            if CalendarDay.objects.filter(date=date).exists():
                raise ValidationFailed(fields={"date": [str(_("This date is already in the calendar."))]})
            day = CalendarDay.objects.create(date=date, kind=kind, name=name, note=note)
            revision = _bump_revision()
            audit_record(
                actor=actor,
                action="calendar.day.create",
                obj=day,
                after={**_snapshot(day), "revision": revision},
            )
            _announce({date.year}, revision)
    except IntegrityError as exc:
        # A concurrent edit entered the same date between the check and the insert.
        raise Conflict(_("This date was just entered by someone else; reload the page.")) from exc
    return day


def calendar_day_update(
    *, actor: Any, day: CalendarDay, date: dt.date, kind: str, name: str, note: str = ""
) -> CalendarDay:
    require_calendar_admin(actor)
    note = note.strip()
    errors = _clean_day(date=date, kind=kind, name=name, note=note)
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        with transaction.atomic(durable=True):
            locked = lock_calendar_day(day.pk)
            before = _snapshot(locked)
            old_year = locked.date.year
            if date != locked.date and CalendarDay.objects.filter(date=date).exists():
                raise ValidationFailed(fields={"date": [str(_("This date is already in the calendar."))]})
            locked.date, locked.kind, locked.name, locked.note = date, kind, name, note
            locked.save(update_fields=["date", "kind", "name", "note", "updated_at"])
            revision = _bump_revision()
            audit_record(
                actor=actor,
                action="calendar.day.update",
                obj=locked,
                before=before,
                after={**_snapshot(locked), "revision": revision},
            )
            _announce({old_year, date.year}, revision)
    except IntegrityError as exc:
        raise Conflict(_("This date was just entered by someone else; reload the page.")) from exc
    return locked


def calendar_day_delete(*, actor: Any, day: CalendarDay) -> None:
    require_calendar_admin(actor)
    with transaction.atomic(durable=True):
        locked = lock_calendar_day(day.pk)
        before = _snapshot(locked)
        pk = locked.pk
        locked.delete()
        revision = _bump_revision()
        audit_record(
            actor=actor,
            action="calendar.day.delete",
            object_type=CalendarDay._meta.label_lower,
            object_id=pk,
            before=before,
            after={"revision": revision},
        )
        _announce({locked.date.year}, revision)


def calendar_year_set(*, actor: Any, year: int, status: str, source: str = "") -> CalendarYear:
    """Create or update a year's record. `complete` makes the year known to the
    calendar arithmetic as official; `provisional` makes it known as an assumption
    (answers touching it are flagged); `incomplete` withdraws it (answers touching it
    then raise). A change of status is announced, so that dates computed through the
    year are recomputed (a provisional year marked complete clears their flag)."""
    require_calendar_admin(actor)
    _check_year(year, "year")
    if status not in YearStatus.values:
        raise ValidationFailed(fields={"status": [str(_("Choose complete, provisional or not complete."))]})
    source = source.strip()
    if len(source) > 300:
        raise ValidationFailed(fields={"source": [str(_("At most 300 characters."))]})
    with transaction.atomic(durable=True):
        record = CalendarYear.objects.select_for_update().filter(year=year).first()
        before = {"status": record.status, "source": record.source} if record else None
        if record is None:
            record = CalendarYear.objects.create(year=year, status=status, source=source)
        else:
            record.status, record.source = status, source
            record.save(update_fields=["status", "source", "updated_at"])
        revision = _bump_revision()
        audit_record(
            actor=actor,
            action="calendar.year.set",
            obj=record,
            before=before,
            after={"year": year, "status": status, "source": source, "revision": revision},
        )
        if (before["status"] if before else YearStatus.INCOMPLETE) != status:
            _announce({year}, revision)
    return record

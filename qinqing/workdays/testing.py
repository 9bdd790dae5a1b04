"""Putting the official calendar back after something emptied the database.

Transactional tests (`django_db(transaction=True)`) flush every table when they end,
the seeded calendar included. The app puts it back after each flush (see apps.py);
tests may also call `ensure_official_calendar()` themselves. It writes without an actor
or audit event: it restores seed data, it is not an edit.
"""

from __future__ import annotations

from django.db import transaction

from . import calendar
from .models import CalendarDay, CalendarRevision, CalendarYear
from .official import ARRANGEMENTS, seed_days


def ensure_official_calendar(years: range = range(2020, 2027)) -> None:
    with transaction.atomic():
        wanted = [day for year in years for day in seed_days(year)]
        present = set(
            CalendarDay.objects.filter(date__in=[d.date for d in wanted]).values_list("date", flat=True)
        )
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=d.date, kind=str(d.kind), name=str(d.name), note=d.note)
                for d in wanted
                if d.date not in present
            ]
        )
        for year in years:
            CalendarYear.objects.update_or_create(
                year=year, defaults={"complete": True, "source": ARRANGEMENTS[year].source}
            )
        revision, _created = CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
        revision.number += 1
        revision.save(update_fields=["number"])
    calendar.invalidate()

"""Putting the seeded calendar back after something emptied the database.

Transactional tests (`django_db(transaction=True)`) flush every table when they end,
the seeded calendar included. The app puts it back after each flush (see apps.py);
tests may also call `ensure_official_calendar()` themselves. It writes without an actor
or audit event: it restores seed data, it is not an edit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from . import calendar
from .models import CalendarDay, CalendarRevision, CalendarYear, YearStatus
from .official import ARRANGEMENTS, PROVISIONAL, seed_days

OFFICIAL_YEARS = range(2020, 2027)
PROVISIONAL_YEARS = (2027,)


def ensure_official_calendar(
    years: Iterable[int] = OFFICIAL_YEARS, provisional: Iterable[int] = PROVISIONAL_YEARS
) -> None:
    """The official years complete and the provisional ones provisional, with their
    days, as the data migrations seed them."""
    years, provisional = list(years), list(provisional)
    with transaction.atomic():
        wanted = [day for year in [*years, *provisional] for day in seed_days(year)]
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
                year=year, defaults={"status": YearStatus.COMPLETE, "source": ARRANGEMENTS[year].source}
            )
        for year in provisional:
            CalendarYear.objects.update_or_create(
                year=year, defaults={"status": YearStatus.PROVISIONAL, "source": PROVISIONAL[year].source}
            )
        revision, _created = CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
        revision.number += 1
        revision.save(update_fields=["number"])
    calendar.invalidate()

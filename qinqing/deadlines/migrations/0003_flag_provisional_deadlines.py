"""Marks the open deadlines whose dates reach into a provisional calendar year (2027,
seeded provisional by workdays 0006). Until then working-day rungs could not fall in
such a year, but calendar-day ladders and due dates could. Reversible: going back
clears the marks (the column goes with 0002)."""

import datetime as dt

from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def flag(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    Deadline = apps.get_model("deadlines", "Deadline")
    DeadlineRungDate = apps.get_model("deadlines", "DeadlineRungDate")
    for year in CalendarYear.objects.filter(status="provisional").values_list("year", flat=True):
        lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
        rungs = DeadlineRungDate.objects.filter(deadline=OuterRef("pk"))
        touching = (
            Q(due_date__range=(lo, hi))
            | Exists(rungs.filter(on_date__range=(lo, hi)))
            | (Q(due_date__lt=lo) & Exists(rungs.filter(on_date__gt=hi)))
            | (Q(due_date__gt=hi) & Exists(rungs.filter(on_date__lt=lo)))
        )
        Deadline.objects.filter(touching, status="open", provisional=False).update(provisional=True)


def unflag(apps, schema_editor):
    apps.get_model("deadlines", "Deadline").objects.filter(provisional=True).update(provisional=False)


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0002_deadline_provisional"),
        ("workdays", "0006_seed_provisional_2027"),
    ]

    operations = [migrations.RunPython(flag, unflag)]

"""Seeds 2027 as a provisional year: the statutory days of 《全国年节及纪念日放假办法》
on their 2027 dates, no make-up working days, until the State Council's notice for 2027
is entered and the year marked complete.

Left alone when 2027 already has a record (an admin got there first). Reversible:
unapplying removes the year and its seeded days only while the year is still the
provisional one this migration wrote; once an admin has changed it, it is theirs.
"""

from django.db import migrations

YEAR = 2027


def seed(apps, schema_editor):
    from qinqing.workdays.official import PROVISIONAL, seed_days

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarRevision = apps.get_model("workdays", "CalendarRevision")
    if CalendarYear.objects.filter(year=YEAR).exists():
        return
    rows = [CalendarDay(date=d.date, kind=str(d.kind), name=str(d.name), note=d.note) for d in seed_days(YEAR)]
    existing = set(CalendarDay.objects.filter(date__in=[r.date for r in rows]).values_list("date", flat=True))
    CalendarDay.objects.bulk_create([r for r in rows if r.date not in existing])
    CalendarYear.objects.create(year=YEAR, status="provisional", source=PROVISIONAL[YEAR].source)
    revision, _created = CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
    revision.number += 1
    revision.save()


def unseed(apps, schema_editor):
    from qinqing.workdays.official import PROVISIONAL, seed_days

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarRevision = apps.get_model("workdays", "CalendarRevision")
    seeded = CalendarYear.objects.filter(year=YEAR, status="provisional", source=PROVISIONAL[YEAR].source)
    if not seeded.exists():
        return
    for day in seed_days(YEAR):
        CalendarDay.objects.filter(date=day.date, kind=str(day.kind), name=str(day.name)).delete()
    seeded.delete()
    revision, _created = CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
    revision.number += 1
    revision.save()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0005_remove_calendaryear_complete")]

    operations = [migrations.RunPython(seed, unseed)]

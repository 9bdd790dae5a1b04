"""Seeds the State Council's holiday arrangements for 2020 to 2026 and marks those
years complete. Reversible: unapplying removes exactly the days and years it added
(days an admin has since edited are removed too, as they belong to those years)."""

from django.db import migrations

YEARS = range(2020, 2027)


def seed(apps, schema_editor):
    from qinqing.workdays.official import ARRANGEMENTS, seed_days

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarRevision = apps.get_model("workdays", "CalendarRevision")
    rows = []
    for year in YEARS:
        for day in seed_days(year):
            rows.append(CalendarDay(date=day.date, kind=str(day.kind), name=str(day.name), note=day.note))
    existing = set(CalendarDay.objects.filter(date__in=[r.date for r in rows]).values_list("date", flat=True))
    CalendarDay.objects.bulk_create([r for r in rows if r.date not in existing])
    for year in YEARS:
        CalendarYear.objects.update_or_create(
            year=year, defaults={"complete": True, "source": ARRANGEMENTS[year].source}
        )
    revision, _created = CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
    revision.number += 1
    revision.save()


def unseed(apps, schema_editor):
    from qinqing.workdays.official import seed_days

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarRevision = apps.get_model("workdays", "CalendarRevision")
    dates = [day.date for year in YEARS for day in seed_days(year)]
    CalendarDay.objects.filter(date__in=dates).delete()
    CalendarYear.objects.filter(year__in=list(YEARS)).delete()
    revision, _created = CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
    revision.number += 1
    revision.save()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

"""Carries each year's `complete` flag over to its `status`. Reversible: going back,
only complete years stay complete (the old schema has no provisional state, so a
provisional year becomes not complete, which the old arithmetic refuses)."""

from django.db import migrations


def forward(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarYear.objects.filter(complete=True).update(status="complete")
    CalendarYear.objects.filter(complete=False).update(status="incomplete")


def backward(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarYear.objects.filter(status="complete").update(complete=True)
    CalendarYear.objects.exclude(status="complete").update(complete=False)


class Migration(migrations.Migration):
    dependencies = [("workdays", "0003_calendaryear_status")]

    operations = [migrations.RunPython(forward, backward)]

"""Fill `CaseStep.organisation` from its case (data only; the schema is 0003 and 0005)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    case_model = apps.get_model("policies", "Case")
    step_model = apps.get_model("policies", "CaseStep")
    step_model.objects.filter(organisation__isnull=True).update(
        organisation_id=Subquery(
            case_model.objects.filter(pk=OuterRef("case_id")).values("organisation_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_casestep_organisation")]

    # Reversed, the column goes with 0003: nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

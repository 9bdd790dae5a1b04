import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_assignment_unique_partial"),
        ("policies", "0004_casestep_organisation_fill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="casestep",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", True)),
                fields=["organisation", "due_date", "started_at", "id", "role", "kind", "case"],
                name="policies_step_queue",
            ),
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="policies_case_org_status",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["organisation", "status", "id"], name="policies_case_org_status"),
        ),
    ]

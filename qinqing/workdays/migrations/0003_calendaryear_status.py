from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_seed_official_2020_2026")]

    operations = [
        migrations.AddField(
            model_name="calendaryear",
            name="status",
            field=models.CharField(
                choices=[("incomplete", "Not complete"), ("provisional", "Provisional"), ("complete", "Complete")],
                default="incomplete",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendaryear",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["incomplete", "provisional", "complete"])),
                name="calendar_year_status_valid",
            ),
        ),
    ]

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_missed_date_move"),
    ]

    operations = [
        migrations.RenameField(
            model_name="misseddatemove", old_name="event_old_date", new_name="anchor_old_date"
        ),
        migrations.RenameField(
            model_name="misseddatemove", old_name="event_new_date", new_name="anchor_new_date"
        ),
        migrations.AlterField(
            model_name="misseddatemove",
            name="anchor_old_date",
            field=models.DateField(blank=True, null=True, verbose_name="starting point's date before"),
        ),
        migrations.AlterField(
            model_name="misseddatemove",
            name="anchor_new_date",
            field=models.DateField(verbose_name="starting point's date after"),
        ),
        migrations.AlterField(
            model_name="misseddatemove",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contracts.projectevent",
            ),
        ),
        migrations.AddField(
            model_name="misseddatemove",
            name="claim",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contracts.fulfilmentclaim",
            ),
        ),
        migrations.AlterField(
            model_name="misseddatemove",
            name="reason",
            field=models.CharField(max_length=2000, verbose_name="reason"),
        ),
        migrations.AddConstraint(
            model_name="misseddatemove",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("event__isnull", False), ("claim__isnull", True)),
                    models.Q(("event__isnull", True), ("claim__isnull", False)),
                    _connector="OR",
                ),
                name="missed_date_move_one_cause",
            ),
        ),
        migrations.CreateModel(
            name="MissedDateKept",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("missed_date", models.DateField(verbose_name="missed contract date")),
                ("calendar_date", models.DateField(verbose_name="date the changed calendar gives")),
                ("years", models.CharField(max_length=100, verbose_name="calendar years changed")),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                (
                    "obligation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="missed_dates_kept",
                        to="contracts.obligation",
                    ),
                ),
            ],
            options={
                "verbose_name": "missed contract date kept after a calendar change",
                "verbose_name_plural": "missed contract dates kept after a calendar change",
                "ordering": ["obligation", "recorded_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("obligation", "missed_date", "calendar_date"), name="missed_date_kept_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("missed_date", models.F("calendar_date")), _negated=True),
                        name="missed_date_kept_differs",
                    ),
                ],
            },
        ),
    ]

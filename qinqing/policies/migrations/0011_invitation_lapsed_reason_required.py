"""Schema: a lapsed invitation says why; any other has no reason (after 0010 filled them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0010_invitation_lapsed_reason_fill"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("lapsed_reason__in", ["withdrawn", "ended", "not_eligible"]), ("status", "lapsed")
                    ),
                    models.Q(models.Q(("status", "lapsed"), _negated=True), ("lapsed_reason", "")),
                    _connector="OR",
                ),
                name="policies_invitation_lapse_reason",
            ),
        ),
    ]

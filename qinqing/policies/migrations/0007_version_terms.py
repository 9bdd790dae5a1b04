# A version holds the policy's terms beside its rule (and the reason of an amendment).

from decimal import Decimal

from django.db import migrations, models

# The fields `services.catalogue.VERSIONED_TERMS` names, as they stood when this was written.
TERMS = (
    "title",
    "summary",
    "basis_number",
    "basis_title",
    "basis_url",
    "basis_text",
    "valid_from",
    "valid_until",
    "budget_total",
    "cap_per_enterprise",
    "period_kind",
    "mode",
    "materials",
    "steps",
)


def fill(apps, schema_editor):
    """Until now a published policy could change only its rule, so every existing version
    was in force with the policy's present terms."""
    Policy = apps.get_model("policies", "Policy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    for policy in Policy.objects.iterator():
        terms = {}
        for name in TERMS:
            value = getattr(policy, name)
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            terms[name] = value
        PolicyVersion.objects.filter(policy_id=policy.pk).update(terms=terms)


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0006_invitation_write_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="note",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason for the change"),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="terms",
            field=models.JSONField(blank=True, default=dict, verbose_name="terms"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

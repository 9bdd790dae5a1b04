"""Data: invitations made before only proactive (免申即享) policies invited, to policies
that take applications, are still open, and confirming them is refused. They lapse,
saying the policy is applied for with its form. No notification: the enterprises were
never able to use them, and the daily pass tells of the lapses it makes itself."""

from django.db import migrations
from django.utils import timezone


def lapse(apps, schema_editor):  # type: ignore[no-untyped-def]
    Invitation = apps.get_model("policies", "Invitation")
    Invitation.objects.filter(status="open").exclude(policy__mode="proactive").update(
        status="lapsed", lapsed_reason="application", responded_at=timezone.now()
    )


def reopen(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Backwards, 0012's constraint knows no "application" reason: what lapsed for it is
    # open again, as it was.
    Invitation = apps.get_model("policies", "Invitation")
    Invitation.objects.filter(status="lapsed", lapsed_reason="application").update(
        status="open", lapsed_reason="", responded_at=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0012_objection_receipt_invitation_lapse_application"),
    ]

    operations = [migrations.RunPython(lapse, reopen)]

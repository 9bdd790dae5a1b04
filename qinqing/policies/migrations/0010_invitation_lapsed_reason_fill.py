"""Data: invitations that lapsed before the reason was kept lapsed at confirmation, where
the enterprise no longer qualified (the only path that lapsed them then)."""

from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Invitation = apps.get_model("policies", "Invitation")
    Invitation.objects.filter(status="lapsed", lapsed_reason="").update(lapsed_reason="not_eligible")


def empty(apps, schema_editor):  # type: ignore[no-untyped-def]
    Invitation = apps.get_model("policies", "Invitation")
    Invitation.objects.exclude(lapsed_reason="").update(lapsed_reason="")


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0009_invitation_lapsed_reason"),
    ]

    operations = [migrations.RunPython(fill, empty)]

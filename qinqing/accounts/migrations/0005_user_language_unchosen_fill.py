"""Users who never chose a language had the old default, 'zh-hans', stored as if they had.

Clear it for those with no `user.language` event in the audit trail (the switcher
records one whenever it stores a choice), so that their next login keeps the language
they read the platform in instead of switching them to Chinese. The audit trail is only
read here.
"""

from django.db import migrations


def clear_unchosen(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    chosen = set(AuditEvent.objects.filter(action="user.language").values_list("object_id", flat=True))
    unchosen = [
        pk for pk in User.objects.filter(language="zh-hans").values_list("pk", flat=True) if str(pk) not in chosen
    ]
    for start in range(0, len(unchosen), 1000):
        User.objects.filter(pk__in=unchosen[start : start + 1000]).update(language="")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_language_unchosen"),
        ("audit", "0005_leaner_event_indexes"),
    ]

    operations = [migrations.RunPython(clear_unchosen, migrations.RunPython.noop)]

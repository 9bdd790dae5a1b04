from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workdays", "0004_calendar_year_status_from_complete")]

    operations = [migrations.RemoveField(model_name="calendaryear", name="complete")]

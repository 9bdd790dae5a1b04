from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="provisional",
            field=models.BooleanField(db_default=False, default=False, verbose_name="provisional"),
        ),
    ]

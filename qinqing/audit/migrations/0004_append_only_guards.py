"""Schema: triggers that refuse UPDATE, DELETE and TRUNCATE on the audit tables.

PostgreSQL gets a trigger function (row triggers for UPDATE/DELETE, statement triggers
for TRUNCATE); SQLite gets UPDATE and DELETE triggers. Sealing, an event's seq, prev_hash
and hash going from empty to filled, is the one update allowed. See guards.py.
"""

from django.db import migrations


def install(apps, schema_editor):
    from qinqing.audit.guards import install_guards

    install_guards(schema_editor.connection)


def remove(apps, schema_editor):
    from qinqing.audit.guards import remove_guards

    remove_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_rechain_canonical_v1")]

    operations = [migrations.RunPython(install, remove)]

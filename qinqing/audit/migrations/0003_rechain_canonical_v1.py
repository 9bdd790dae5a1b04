"""Data: re-store existing events in version 1 of the canonical form and rechain them.

Only events written before release exist (the pre-release format hashed an ISO time and
re-encoded JSON values); no checkpoint was ever signed over them, so nothing signed is
contradicted. From here on events are never rewritten: the guards come next.
"""

import json

from django.db import migrations

BATCH = 1000


def rechain(apps, schema_editor):
    from qinqing.audit.chain import GENESIS_HASH, canonical_json, event_hash, stored_micros

    connection = schema_editor.connection
    prev, seq, last_old = GENESIS_HASH, 0, 0
    with connection.cursor() as read, connection.cursor() as write:
        while True:
            read.execute(
                "SELECT id, seq, at, actor_id, actor_label, organisation_id, object_type, object_id, action, "
                "request_id, before, after FROM audit_auditevent WHERE seq > %s ORDER BY seq LIMIT %s",
                [last_old, BATCH],
            )
            rows = read.fetchall()
            if not rows:
                break
            for event_id, old_seq, at, actor_id, label, org_id, otype, oid, action, rid, before, after in rows:
                last_old = old_seq
                seq += 1
                before = None if before is None else canonical_json(json.loads(before))
                after = None if after is None else canonical_json(json.loads(after))
                digest = event_hash(
                    prev, seq, stored_micros(at), actor_id, label, org_id, otype, oid, action, rid, before, after
                )
                write.execute(
                    "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s, before = %s, after = %s "
                    "WHERE id = %s",
                    [seq, prev, digest, before, after, event_id],
                )
                prev = digest
        write.execute("DELETE FROM audit_audithead")
        write.execute("INSERT INTO audit_audithead (id, seq, hash) VALUES (1, %s, %s)", [seq, prev])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_event_sealing_and_checkpoints")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]

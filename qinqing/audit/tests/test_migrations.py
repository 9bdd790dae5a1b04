"""Pre-release events are brought into canonical form v1 and rechained once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qinqing.audit.apps import _ensure_guards
from qinqing.audit.guards import guards_installed
from qinqing.audit.models import AuditEvent, AuditHead
from qinqing.audit.verify import verify_chain


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    # What `manage.py migrate` does next for the audit app (post_migrate): put back
    # guards that SQLite lost when a migration rebuilt the table.
    _ensure_guards(sender=None, using=connection.alias)


@pytest.mark.django_db(transaction=True)
def test_pre_release_events_are_rechained_in_the_v1_form():
    _migrate([("audit", "0001_initial")])
    assert guards_installed(connection) is False
    at = dt.datetime(2026, 11, 1, 8, 0, 0, 123456, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        for seq in (1, 2, 3):
            cursor.execute(
                "INSERT INTO audit_auditevent (seq, at, actor_label, object_type, object_id, action, "
                "before, after, request_id, prev_hash, hash) VALUES (%s, %s, 'system', 't', %s, 'x', "
                "%s, %s, '', %s, %s)",
                [seq, at, str(seq), '{"b": 1, "a": "金额"}', None, f"{seq - 1:064d}", f"{seq:064d}"],
            )
        cursor.execute("DELETE FROM audit_audithead")
        cursor.execute("INSERT INTO audit_audithead (id, seq, hash) VALUES (1, 3, %s)", [f"{3:064d}"])
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert guards_installed(connection) is True
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].before == {"a": "金额", "b": 1}
    assert events[1].prev_hash == events[0].hash
    assert AuditHead.objects.get().hash == events[-1].hash
    report = verify_chain()
    assert report.intact, report.as_dict()
    assert report.events == 3

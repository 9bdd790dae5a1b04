"""The database refuses to change or remove audit rows; sealing is the one update."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from qinqing.audit.apps import _ensure_guards
from qinqing.audit.guards import CHECKPOINT_TABLE, EVENT_TABLE, guards_installed
from qinqing.audit.models import AuditCheckpoint, AuditEvent
from qinqing.audit.services import audit_checkpoint_create, audit_record
from qinqing.audit.testing import guards_suspended

from .conftest import write_events


def _refused(sql, params=None):
    """Run `sql` and return the database's error (in a savepoint: PostgreSQL aborts
    the transaction on an error)."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.value)


def test_update_of_an_event_is_refused(db):
    write_events(3)
    message = _refused(f"UPDATE {EVENT_TABLE} SET action = %s WHERE seq = 2", ["forged"])
    assert "append-only" in message
    assert AuditEvent.objects.get(seq=2).action == "test.change"


def test_delete_of_an_event_is_refused_in_sql_and_through_the_orm(db):
    write_events(3)
    assert "append-only" in _refused(f"DELETE FROM {EVENT_TABLE} WHERE seq = 2")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=3).delete()
    assert AuditEvent.objects.count() == 3


def test_emptying_the_table_is_refused(db):
    """PostgreSQL: TRUNCATE (a statement trigger, so even an empty table refuses it).
    SQLite has no TRUNCATE; emptying it is a DELETE of every row, refused above all."""
    write_events(2)
    if connection.vendor == "postgresql":
        assert "TRUNCATE" in _refused(f"TRUNCATE {EVENT_TABLE}")
        assert "TRUNCATE" in _refused(f"TRUNCATE {CHECKPOINT_TABLE}")
    else:
        assert "append-only" in _refused(f"DELETE FROM {EVENT_TABLE}")
    assert AuditEvent.objects.count() == 2


def test_checkpoints_cannot_be_changed_or_removed(db):
    write_events(2)
    checkpoint = audit_checkpoint_create()
    assert checkpoint is not None
    assert "append-only" in _refused(f"UPDATE {CHECKPOINT_TABLE} SET seq = 1")
    assert "append-only" in _refused(f"DELETE FROM {CHECKPOINT_TABLE}")
    assert AuditCheckpoint.objects.get().seq == 2


def test_sealing_fills_an_event_once_and_only_its_chain_columns(db, settings):
    settings.AUDIT_SEALING = "deferred"
    with transaction.atomic():
        event = audit_record(actor=None, action="x", object_type="t", object_id=1)
    # Sealing while changing the content is refused ...
    message = _refused(
        f"UPDATE {EVENT_TABLE} SET seq = 1, prev_hash = %s, hash = %s, action = 'forged' WHERE id = %s",
        ["0" * 64, "a" * 64, event.pk],
    )
    assert "append-only" in message
    # ... sealing as such is allowed, once.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EVENT_TABLE} SET seq = 1, prev_hash = %s, hash = %s WHERE id = %s",
            ["0" * 64, "a" * 64, event.pk],
        )
    assert "append-only" in _refused(
        f"UPDATE {EVENT_TABLE} SET hash = %s WHERE id = %s", ["b" * 64, event.pk]
    )
    assert AuditEvent.objects.get(pk=event.pk).hash == "a" * 64


def test_guards_switched_off_are_noticed_and_put_back_after_migrate(db):
    assert guards_installed(connection) is True
    with guards_suspended():
        assert guards_installed(connection) is False
        _ensure_guards(sender=None, using="default")
        assert guards_installed(connection) is True
        # Back on, the guards refuse again inside the same block.
        write_events(1)
        assert "append-only" in _refused(f"DELETE FROM {EVENT_TABLE}")
    assert guards_installed(connection) is True

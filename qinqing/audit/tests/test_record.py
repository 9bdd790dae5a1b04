"""audit_record: what an event holds, in which transaction, and how it gets sealed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from qinqing.audit.chain import GENESIS_HASH
from qinqing.audit.models import AuditEvent, AuditHead
from qinqing.audit.services import SEALING_DEFERRED, audit_record, audit_seal_pending, recording, sealing_mode
from qinqing.audit.verify import verify_chain
from qinqing.common.request_context import reset_request_id, set_request_id

from .conftest import write_events


def test_an_event_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x", object_type="t", object_id=1)


def test_an_event_needs_an_object(db):
    with transaction.atomic(), pytest.raises(ValueError):
        audit_record(actor=None, action="x")


def test_over_long_names_are_refused_before_the_database_sees_them(db):
    with transaction.atomic(), pytest.raises(ValueError):
        audit_record(actor=None, action="x" * 101, object_type="t", object_id=1)


def test_the_event_holds_who_where_what_before_after_when_and_the_request(city, sealing):
    token = set_request_id("req-0123456789")
    try:
        with transaction.atomic():
            event = audit_record(
                actor=city.officer,
                action="organisation.rename",
                obj=city.drc,
                organisation=city.drc,
                before={"name": "市发改委"},
                after={"name": "市发展和改革委员会"},
            )
    finally:
        reset_request_id(token)
    audit_seal_pending()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == city.officer.pk
    assert stored.actor_label == str(city.officer)
    assert stored.organisation_id == city.drc.pk
    assert (stored.object_type, stored.object_id) == ("accounts.organisation", str(city.drc.pk))
    assert stored.action == "organisation.rename"
    assert stored.before == {"name": "市发改委"}
    assert stored.after == {"name": "市发展和改革委员会"}
    assert stored.request_id == "req-0123456789"
    assert stored.at.utcoffset() == dt.timedelta(0)
    assert stored.is_sealed
    assert event.after == {"name": "市发展和改革委员会"}


def test_the_system_is_an_actor_too(db):
    with transaction.atomic():
        event = audit_record(actor=None, action="job.run", object_type="job", object_id="nightly")
    assert event.actor_id is None
    assert event.actor_label == "system"
    assert event.request_id == ""


def test_model_snapshots_with_related_objects_are_stored_as_ids(city):
    snapshot = model_to_dict(city.group)
    with transaction.atomic():
        event = audit_record(actor=None, action="admin.change", obj=city.group, after=snapshot)
    assert AuditEvent.objects.get(pk=event.pk).after["supervised"] == [city.drc.pk]


def test_inline_sealing_chains_the_event_in_its_own_transaction(db, settings):
    settings.AUDIT_SEALING = "inline"
    first, second = write_events(2)
    with transaction.atomic():
        third = audit_record(actor=None, action="x", object_type="t", object_id=3)
        assert third.seq == 3
        assert third.prev_hash == second.hash
    assert first.prev_hash == GENESIS_HASH
    assert AuditHead.objects.get().seq == 3


def test_deferred_sealing_chains_the_event_right_after_commit(
    db, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.AUDIT_SEALING = "deferred"
    # Another test's commit may have sealed less than SEAL_INTERVAL ago in this process.
    monkeypatch.setattr(recording, "SEAL_INTERVAL", 0.0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = audit_record(actor=None, action="x", object_type="t", object_id=1)
        audit_record(actor=None, action="y", object_type="t", object_id=1)
        assert event.seq is None
        assert AuditEvent.objects.filter(seq__isnull=True).count() == 2
    assert len(callbacks) == 1, "one sealing callback per transaction"
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert list(AuditEvent.objects.values_list("seq", "action")) == [(1, "x"), (2, "y")]
    assert verify_chain().intact


def test_the_default_mode_follows_the_database(db, settings):
    settings.AUDIT_SEALING = ""
    expected = SEALING_DEFERRED if connection.vendor == "postgresql" else "inline"
    assert sealing_mode() == expected


def test_a_head_row_lost_is_rebuilt_from_the_last_sealed_event(db, settings):
    settings.AUDIT_SEALING = "inline"
    events = write_events(3)
    AuditHead.objects.all().delete()
    with transaction.atomic():
        fourth = audit_record(actor=None, action="x", object_type="t", object_id=4)
    assert fourth.seq == 4
    assert fourth.prev_hash == events[-1].hash
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["inline", "deferred"])
def test_a_rolled_back_change_leaves_no_event_and_no_gap(settings, mode):
    settings.AUDIT_SEALING = mode
    with transaction.atomic():
        audit_record(actor=None, action="kept.first", object_type="t", object_id=1)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor=None, action="rolled.back", object_type="t", object_id=2)
        1 / 0  # noqa: B018 - the change fails after its event was written
    with transaction.atomic():
        audit_record(actor=None, action="kept.second", object_type="t", object_id=3)
    audit_seal_pending()
    events = list(AuditEvent.objects.order_by("seq"))
    assert [(e.seq, e.action) for e in events] == [(1, "kept.first"), (2, "kept.second")]
    assert events[1].prev_hash == events[0].hash
    assert not AuditEvent.objects.filter(action="rolled.back").exists()
    report = verify_chain()
    assert report.intact
    assert report.events == 2

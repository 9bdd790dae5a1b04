"""Signed checkpoints: the key outside the database, the file outside it, the export."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from qinqing.audit.checkpoints import SignedCheckpoint, parse_checkpoint_lines
from qinqing.audit.guards import EVENT_TABLE
from qinqing.audit.models import AuditCheckpoint
from qinqing.audit.selectors import audit_checkpoint_export
from qinqing.audit.services import (
    AuditChainBroken,
    audit_checkpoint_create,
    audit_checkpoint_file_sync,
    audit_record,
)
from qinqing.audit.signing import public_key_b64, signing_key, trusted_public_key
from qinqing.audit.testing import tamper
from qinqing.audit.verify import Kind, verify_chain

from .conftest import write_events


def test_the_key_file_is_created_once_with_mode_0600(settings):
    path = settings.AUDIT_SIGNING_KEY_FILE
    assert not path.exists()
    assert signing_key(create=False) is None
    first = signing_key()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert public_key_b64(signing_key()) == public_key_b64(first)


def test_a_key_given_in_the_settings_is_used_and_no_file_is_written(settings):
    seed = base64.b64encode(b"k" * 32).decode()
    settings.AUDIT_SIGNING_KEY = seed
    key = signing_key()
    assert not settings.AUDIT_SIGNING_KEY_FILE.exists()
    assert trusted_public_key() == public_key_b64(key)


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_a_configuration_error(settings, bad):
    settings.AUDIT_SIGNING_KEY = bad
    with pytest.raises(ImproperlyConfigured):
        signing_key()


def test_a_checkpoint_signs_the_head_and_goes_to_the_file_outside(
    db, settings, django_capture_on_commit_callbacks
):
    events = write_events(4)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = audit_checkpoint_create()
    assert (checkpoint.seq, checkpoint.hash) == (4, events[-1].hash)
    signed = SignedCheckpoint.of(checkpoint)
    assert signed.signed_by(trusted_public_key())
    lines = settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) | {} == signed.as_line()


def test_no_checkpoint_when_nothing_was_added(db):
    assert audit_checkpoint_create() is None  # an empty trail
    write_events(2)
    assert audit_checkpoint_create().seq == 2
    assert audit_checkpoint_create() is None
    write_events(1)
    assert audit_checkpoint_create().seq == 3
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [3, 2]


def test_a_checkpoint_seals_waiting_events_first(db, settings):
    settings.AUDIT_SEALING = "deferred"
    with transaction.atomic():
        audit_record(actor=None, action="x", object_type="t", object_id=1)
    checkpoint = audit_checkpoint_create()
    assert checkpoint.seq == 1


def test_no_checkpoint_is_signed_over_a_break(db):
    write_events(3)
    audit_checkpoint_create()
    write_events(3)
    tamper(f"UPDATE {EVENT_TABLE} SET action = 'forged' WHERE seq = 5")
    with pytest.raises(AuditChainBroken) as caught:
        audit_checkpoint_create()
    assert caught.value.extra["first_break"] == {"kind": Kind.CONTENT_MISMATCH, "seq": 5}
    assert AuditCheckpoint.objects.count() == 1


def test_a_lost_file_write_is_made_good(db, settings):
    write_events(2)
    audit_checkpoint_create()  # its file write would run on commit, which never comes here
    write_events(2)
    audit_checkpoint_create()
    assert not settings.AUDIT_CHECKPOINT_FILE.exists()
    assert audit_checkpoint_file_sync() == 2
    assert audit_checkpoint_file_sync() == 0
    parsed = parse_checkpoint_lines(settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines(), source="f")
    assert sorted(cp.seq for cp in parsed.checkpoints) == [2, 4]


def test_the_export_carries_the_public_key_and_is_signed_as_a_whole(db, tmp_path):
    write_events(2)
    audit_checkpoint_create()
    write_events(1)
    audit_checkpoint_create()
    text = "".join(audit_checkpoint_export())
    lines = text.splitlines()
    header, trailer = json.loads(lines[0]), json.loads(lines[-1])
    assert header["type"] == "header"
    assert header["public_key"] == trusted_public_key()
    assert header["checkpoints"] == 2
    assert trailer["type"] == "signature"
    parsed = parse_checkpoint_lines(lines, source="export")
    assert parsed.trailer_checked and not parsed.problems
    assert [cp.seq for cp in parsed.checkpoints] == [2, 3]
    # The export kept elsewhere verifies the chain ...
    kept = tmp_path / "kept.jsonl"
    kept.write_text(text)
    assert verify_chain(checkpoint_files=[kept]).intact
    # ... and a doctored export is noticed.
    kept.write_text(text.replace('"seq":3', '"seq":2', 1))
    kinds = {f.kind for f in verify_chain(checkpoint_files=[kept]).findings}
    assert Kind.EXPORT_INVALID in kinds


def test_a_lost_key_is_not_silently_replaced(db, settings):
    from qinqing.audit.services import AuditSigningKeyMissing

    write_events(2)
    audit_checkpoint_create()
    settings.AUDIT_SIGNING_KEY_FILE.unlink()
    write_events(1)
    with pytest.raises(AuditSigningKeyMissing):
        audit_checkpoint_create()
    with pytest.raises(AuditSigningKeyMissing):
        audit_checkpoint_export()
    assert not settings.AUDIT_SIGNING_KEY_FILE.exists()
    # Verification still works, with the key stored beside the checkpoints, and says so.
    report = verify_chain()
    assert report.intact
    assert report.warnings == ["no_trusted_key"]

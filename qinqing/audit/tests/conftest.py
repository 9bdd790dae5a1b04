"""Fixtures of the audit trail's tests: keys and files in a temporary folder, helpers
to write events and to run both sealing modes."""

from __future__ import annotations

import pytest
from django.db import transaction

from qinqing.audit.models import AuditEvent
from qinqing.audit.services import SEALING_DEFERRED, SEALING_INLINE, audit_record, audit_seal_pending


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    """The signing key and the checkpoint file of each test live in its own folder."""
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit.key"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit" / "checkpoints.jsonl"
    return tmp_path


@pytest.fixture(params=[SEALING_INLINE, SEALING_DEFERRED])
def sealing(request, settings):
    """Run the test in both sealing modes, whatever the database."""
    settings.AUDIT_SEALING = request.param
    return request.param


def write_events(count, *, organisation=None, actor=None, action="test.change", object_type="test.record"):
    """`count` events, one transaction each, sealed; returns them in chain order."""
    for n in range(count):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=n + 1,
                organisation=organisation,
                before={"n": n},
                after={"n": n + 1, "note": f"第{n + 1}次"},
            )
    audit_seal_pending()
    return list(AuditEvent.objects.order_by("seq"))

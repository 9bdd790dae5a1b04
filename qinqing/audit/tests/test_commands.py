"""manage.py audit_checkpoint and the text of manage.py verify_audit."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qinqing.audit.guards import EVENT_TABLE
from qinqing.audit.testing import tamper

from .conftest import write_events


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_audit_checkpoint_signs_then_has_nothing_new(db, settings):
    write_events(3)
    assert "Signed checkpoint at event 3" in _run("audit_checkpoint")
    assert settings.AUDIT_CHECKPOINT_FILE.exists()
    assert "Nothing new" in _run("audit_checkpoint")


def test_audit_checkpoint_refuses_a_broken_chain(db):
    write_events(3)
    tamper(f"UPDATE {EVENT_TABLE} SET action = 'forged' WHERE seq = 2")
    with pytest.raises(CommandError) as caught:
        _run("audit_checkpoint")
    assert caught.value.returncode == 1


def test_verify_audit_reports_in_text_and_json(db):
    write_events(4)
    text = _run("verify_audit")
    assert "intact" in text and "4 events checked" in text
    report = json.loads(_run("verify_audit", "--json"))
    assert report["intact"] is True
    assert report["last_seq"] == 4
    assert report["first_break"] is None

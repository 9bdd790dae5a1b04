"""Each way of tampering is caught, by verify_chain and by `manage.py verify_audit`.

The guards are switched off first, as an attacker with the database owner's rights
would do (qinqing.audit.testing.tamper).
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from qinqing.audit.chain import GENESIS_HASH, canonical_json, event_hash, micros
from qinqing.audit.checkpoints import checkpoint_payload, iso_utc
from qinqing.audit.guards import CHECKPOINT_TABLE, EVENT_TABLE
from qinqing.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from qinqing.audit.services import audit_checkpoint_create
from qinqing.audit.signing import key_id, public_key_b64, sign
from qinqing.audit.testing import tamper
from qinqing.audit.verify import Kind, verify_chain

from .conftest import write_events

EVENTS = 30


@pytest.fixture
def chain(db, django_capture_on_commit_callbacks):
    """30 events, a checkpoint signed at event 25 (also in the file outside), 5 more."""
    write_events(25)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = audit_checkpoint_create()
    assert checkpoint is not None and checkpoint.seq == 25
    write_events(5)
    assert AuditEvent.objects.filter(seq__isnull=False).count() == EVENTS
    assert verify_chain().intact
    return checkpoint


def _command(*args):
    """Run verify_audit; return (exit code, output)."""
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def _first(report):
    first = report.first_break
    assert first is not None, "tampering went unnoticed"
    return first.kind, first.seq


def _rechain_from(seq):
    """What a careful attacker does after editing event `seq`: recompute every hash
    from there on and move the head, so that the chain is consistent again."""
    rows = AuditEvent.objects.filter(seq__gte=seq).order_by("seq")
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for event in rows:
        digest = event_hash(
            prev,
            event.seq,
            micros(event.at),
            event.actor_id,
            event.actor_label,
            event.organisation_id,
            event.object_type,
            event.object_id,
            event.action,
            event.request_id,
            canonical_json(event.before),
            canonical_json(event.after),
        )
        tamper(
            f"UPDATE {EVENT_TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, digest, event.pk],
        )
        prev = digest
    AuditHead.objects.filter(pk=1).update(hash=prev)


def test_an_intact_chain_verifies_with_exit_code_0(chain):
    code, output = _command()
    assert code == 0
    assert "intact" in output


def test_an_edited_event_is_named(chain):
    tamper(f"UPDATE {EVENT_TABLE} SET after = %s WHERE seq = 7", ['{"n":999}'])
    assert _first(verify_chain()) == (Kind.CONTENT_MISMATCH, 7)
    code, output = _command()
    assert code == 1
    assert "[content_mismatch]" in output
    assert "7" in output.split("First broken:")[1]


def test_an_event_deleted_in_the_middle_leaves_a_gap(chain):
    tamper(f"DELETE FROM {EVENT_TABLE} WHERE seq = 12")
    report = verify_chain()
    assert _first(report) == (Kind.SEQ_GAP, 13)
    assert report.first_break.detail == {"missing_from": 12, "missing_to": 12}
    code, output = _command()
    assert code == 1
    assert "[seq_gap]" in output


def test_a_deleted_tail_is_caught_by_the_signed_checkpoint(chain):
    # The attacker cuts events 21..30 and moves the head back so that it agrees.
    tamper(f"DELETE FROM {EVENT_TABLE} WHERE seq > 20")
    last = AuditEvent.objects.get(seq=20)
    AuditHead.objects.filter(pk=1).update(seq=20, hash=last.hash)
    report = verify_chain()
    assert _first(report) == (Kind.MISSING_TAIL, 25)
    assert report.first_break.detail["last_seq"] == 20
    code, output = _command("--json")
    assert code == 1
    assert json.loads(output)["first_break"]["kind"] == Kind.MISSING_TAIL


def test_a_tail_cut_after_the_last_checkpoint_shows_only_in_the_head(chain):
    """Events after the last checkpoint are vouched for only by the head record; an
    attacker who fixes that too goes unseen until the next checkpoint. This is why
    checkpoints run every hour."""
    tamper(f"DELETE FROM {EVENT_TABLE} WHERE seq > 27")
    assert _first(verify_chain()) == (Kind.HEAD_BEYOND_CHAIN, 30)
    AuditHead.objects.filter(pk=1).update(seq=27, hash=AuditEvent.objects.get(seq=27).hash)
    assert verify_chain().intact


def test_reordered_events_are_named(chain):
    tamper(f"UPDATE {EVENT_TABLE} SET seq = seq + 1000 WHERE seq IN (10, 11)")
    tamper(f"UPDATE {EVENT_TABLE} SET seq = 11 WHERE seq = 1010")
    tamper(f"UPDATE {EVENT_TABLE} SET seq = 10 WHERE seq = 1011")
    report = verify_chain()
    assert _first(report) == (Kind.REORDER, 10)
    assert report.first_break.detail["swapped_with"] == 11
    code, output = _command()
    assert code == 1
    assert "[reorder]" in output


def test_a_consistently_rewritten_chain_is_caught_by_the_checkpoint(chain):
    tamper(f"UPDATE {EVENT_TABLE} SET action = 'test.forged' WHERE seq = 5")
    _rechain_from(5)
    report = verify_chain(include_local_file=False)
    # Every link and hash is consistent again: only the signature tells.
    assert {f.kind for f in report.findings} == {Kind.CHECKPOINT_MISMATCH}
    assert _first(report) == (Kind.CHECKPOINT_MISMATCH, 25)
    code, output = _command("--no-local-file")
    assert code == 1
    assert "[checkpoint_mismatch]" in output


def test_a_rewrite_that_also_deletes_the_checkpoints_is_caught_by_the_kept_export(chain, settings, tmp_path):
    local_file = settings.AUDIT_CHECKPOINT_FILE
    kept = tmp_path / "kept.jsonl"
    kept.write_bytes(local_file.read_bytes())
    tamper(f"UPDATE {EVENT_TABLE} SET action = 'test.forged' WHERE seq = 5")
    _rechain_from(5)
    tamper(f"DELETE FROM {CHECKPOINT_TABLE}")
    local_file.unlink()  # the attacker has this machine too
    # The database alone now looks fine ...
    assert verify_chain().intact
    # ... the export kept elsewhere does not agree.
    report = verify_chain(checkpoint_files=[kept])
    kinds = {f.kind for f in report.findings}
    assert kinds == {Kind.CHECKPOINT_MISSING_FROM_DATABASE, Kind.CHECKPOINT_MISMATCH}
    code, output = _command("--checkpoints", str(kept))
    assert code == 1
    assert "[checkpoint_mismatch]" in output or "[checkpoint_missing_from_database]" in output


def test_checkpoints_re_signed_with_another_key_are_refused(chain):
    tamper(f"UPDATE {EVENT_TABLE} SET action = 'test.forged' WHERE seq = 5")
    _rechain_from(5)
    forged_key = Ed25519PrivateKey.generate()
    public = public_key_b64(forged_key)
    cp = AuditCheckpoint.objects.get()
    new_hash = AuditEvent.objects.get(seq=cp.seq).hash
    payload = checkpoint_payload(seq=cp.seq, hash=new_hash, at=iso_utc(cp.created_at), key_id=key_id(public))
    tamper(
        f"UPDATE {CHECKPOINT_TABLE} SET hash = %s, public_key = %s, key_id = %s, signature = %s WHERE id = %s",
        [new_hash, public, key_id(public), sign(forged_key, payload), cp.pk],
    )
    report = verify_chain(include_local_file=False)
    assert _first(report) == (Kind.CHECKPOINT_SIGNATURE_INVALID, 25)


def test_the_command_refuses_a_missing_checkpoint_file(chain, tmp_path):
    code, _output = _command("--checkpoints", str(tmp_path / "nowhere.jsonl"))
    assert code == 2


def test_the_first_break_is_named_even_among_many_findings(chain, tmp_path, monkeypatch):
    from qinqing.audit import verify

    monkeypatch.setattr(verify, "MAX_FINDINGS", 3)
    forged = tmp_path / "forged.jsonl"
    lines = [
        json.dumps(
            {"seq": 25 + n, "hash": "f" * 64, "at": "x", "key_id": "k", "public_key": "", "signature": "AA=="}
        )
        for n in range(10)
    ]
    forged.write_text("\n".join(lines) + "\n")
    tamper(f"UPDATE {EVENT_TABLE} SET action = 'forged' WHERE seq = 2")
    report = verify_chain(checkpoint_files=[forged])
    assert report.findings_total == 11
    assert len(report.findings) == 3
    assert _first(report) == (Kind.CONTENT_MISMATCH, 2)

"""Writers in parallel produce one chain: gap-free numbers, one successor per event."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from qinqing.audit.models import AuditEvent
from qinqing.audit.services import audit_record, audit_seal_pending, recording
from qinqing.audit.verify import verify_chain

WRITERS = 4
EACH = 25


def _writer(number: int, barrier: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        barrier.wait(timeout=30)
        for n in range(EACH):
            with transaction.atomic():
                audit_record(
                    actor=None,
                    action="test.parallel",
                    object_type="test.writer",
                    object_id=number,
                    after={"n": n, "writer": number},
                )
    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("mode", "interval"),
    [("inline", None), ("deferred", 0.0), ("deferred", recording.SEAL_INTERVAL)],
    ids=["inline", "deferred-every-commit", "deferred-throttled"],
)
def test_concurrent_writers_make_one_valid_chain(settings, monkeypatch, mode, interval):
    settings.AUDIT_SEALING = mode
    if interval is not None:
        monkeypatch.setattr(recording, "SEAL_INTERVAL", interval)
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(i, barrier, errors)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    total = WRITERS * EACH
    if interval:
        # Throttled writers leave the last events to the sweeper (or the next reader).
        audit_seal_pending()
    # Otherwise no sweep: sealing after every commit, and giving way to whoever holds
    # the head, must have left nothing behind.
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == total, "two events share a predecessor: the chain forked"
    per_writer = {w: AuditEvent.objects.filter(object_id=str(w)).count() for w in range(WRITERS)}
    assert per_writer == dict.fromkeys(range(WRITERS), EACH)
    report = verify_chain()
    assert report.intact, report.as_dict()
    assert report.events == total

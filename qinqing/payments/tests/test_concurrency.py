"""On PostgreSQL: the same key instructed from two transactions at once makes one
instruction; two workers sending one instruction at once make one transfer.

Marked `postgres`: fails (never skips) elsewhere."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from qinqing.payments.models import PaymentInstruction, PaymentStatus, TreasuryTransfer
from qinqing.payments.services import payment_send

from .factories import instruct

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(target, n: int) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_one_key_instructed_at_once_makes_one_instruction(city):
    assert connection.vendor == "postgresql", (
        "this test needs PostgreSQL: run it with DATABASE_URL=postgres://…"
    )

    def approve():
        with transaction.atomic():
            return instruct(city.drc, key="case:race").pk

    results, errors = _run_at_once(approve, 6)

    assert errors == []
    assert len(set(results)) == 1
    assert PaymentInstruction.objects.filter(key="case:race").count() == 1


def test_one_instruction_sent_by_many_workers_at_once_is_paid_once(city):
    assert connection.vendor == "postgresql", (
        "this test needs PostgreSQL: run it with DATABASE_URL=postgres://…"
    )
    instruction = instruct(city.drc, key="case:send")

    results, errors = _run_at_once(lambda: payment_send(instruction_id=instruction.pk), 6)

    assert errors == []
    assert TreasuryTransfer.objects.filter(key="case:send").count() == 1
    instruction.refresh_from_db()
    assert instruction.status == PaymentStatus.SETTLED and instruction.attempts == 1
    assert PaymentStatus.SETTLED in results

"""On PostgreSQL: ten thousand concurrent and repeated sends over a few hundred
instructions, with the treasury failing, timing out, answering twice and workers dying
between the send and its record, then reconciliation. Afterwards no key has two
transfers, every instruction is settled or definitively failed, a failed one has no
transfer, and each settlement was signalled once.

Marked `postgres`: it fails (never skips) on another database, where real row locks
and concurrent connections cannot be exercised."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from qinqing.common.errors import ApplicationError
from qinqing.payments import services
from qinqing.payments.gateways.treasury import SimulatedTreasury, treasury_seed
from qinqing.payments.models import PaymentInstruction, PaymentStatus, TreasuryTransfer
from qinqing.payments.signals import payment_settled

from .factories import ACCOUNT, instruct, treasury

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INSTRUCTIONS = 200
THREADS = 8
CALLS = 10_000
CRASH_RATE = 0.03


class WorkerDied(BaseException):
    """A worker killed between the gateway's answer and its recording (not an Exception:
    nothing in the services may catch it)."""


class CrashingTreasury(SimulatedTreasury):
    """The simulated treasury, behind a worker that sometimes dies after it answered."""

    def send(self, transfer):
        answer = super().send(transfer)
        if random.random() < CRASH_RATE:  # noqa: S311
            raise WorkerDied()
        return answer


def test_ten_thousand_sends_never_pay_twice_and_leave_nothing_unpaid(city, settings):
    assert connection.vendor == "postgresql", (
        "this test needs PostgreSQL: run it with DATABASE_URL=postgres://…"
    )
    started = time.monotonic()
    settings.PAYMENT_GATEWAY = "qinqing.payments.tests.test_stress.CrashingTreasury"
    # given a few hundred instructions, one in twenty with an account the bank refuses
    ids = [
        instruct(
            city.drc,
            key=f"stress:{n}",
            amount=Decimal(f"{1000 + n}.{n % 100:02d}"),
            payee_account="bad" if n % 20 == 0 else ACCOUNT,
        ).pk
        for n in range(INSTRUCTIONS)
    ]
    treasury(
        "random",
        fail_rate=Decimal("0.1"),
        timeout_rate=Decimal("0.2"),
        duplicate_rate=Decimal("0.2"),
        unavailable_rate=Decimal("0.1"),
    )
    treasury_seed(20261127)
    settled_signals: Counter[str] = Counter()
    lock = threading.Lock()

    def on_settled(sender, instruction, **kwargs):
        with lock:
            settled_signals[instruction.key] += 1

    payment_settled.connect(on_settled, weak=False)
    calls = iter(range(CALLS))
    errors: list[BaseException] = []
    crashes = Counter[str]()
    barrier = threading.Barrier(THREADS + 1)
    done = threading.Event()

    def worker(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311
        try:
            barrier.wait(timeout=30)
            while True:
                with lock:
                    n = next(calls, None)
                if n is None:
                    return
                # Hot spots: most calls hit the first few dozen instructions at once.
                pk = ids[rng.randrange(40)] if rng.random() < 0.5 else rng.choice(ids)
                try:
                    if rng.random() < 0.02:
                        failed = PaymentInstruction.objects.get(pk=pk)
                        services.payment_retry(actor=city.officer, instruction=failed)
                    else:
                        services.payment_send(instruction_id=pk)
                except WorkerDied:
                    with lock:
                        crashes["died"] += 1
                except ApplicationError:
                    pass  # a retry of a payment that is not failed: refused, as it should be
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            connection.close()

    def reconciler() -> None:
        try:
            barrier.wait(timeout=30)
            while not done.wait(0.05):
                services.payments_reconcile()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    threads.append(threading.Thread(target=reconciler))
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join(timeout=120)
    done.set()
    threads[-1].join(timeout=60)
    assert not errors, errors
    assert crashes["died"] > 0, "the test must have killed some workers"

    # when the treasury recovers and the reconciliation runs (after every lease ran out)
    treasury("normal")
    settings.PAYMENT_GATEWAY = "qinqing.payments.gateways.treasury.SimulatedTreasury"
    later = timezone.now() + services.lease_duration() + dt.timedelta(seconds=1)
    for _round in range(10):
        services.payments_reconcile(now=later)
        pending = PaymentInstruction.objects.filter(status=PaymentStatus.PENDING).values_list("pk", flat=True)
        for pk in pending:
            services.payment_send(instruction_id=pk, now=later)
        if not PaymentInstruction.objects.filter(status__in=PaymentInstruction.OPEN).exists():
            break
    payment_settled.disconnect(on_settled)

    # then no key was ever paid twice
    doubled = TreasuryTransfer.objects.values("key").annotate(n=Count("id")).filter(n__gt=1)
    assert list(doubled) == []
    # and nothing is left unsettled but the definitive failures, which moved no money
    statuses = Counter(PaymentInstruction.objects.values_list("status", flat=True))
    assert set(statuses) <= {PaymentStatus.SETTLED, PaymentStatus.FAILED}, statuses
    transfers = {t.key: t for t in TreasuryTransfer.objects.all()}
    for instruction in PaymentInstruction.objects.all():
        if instruction.status == PaymentStatus.FAILED:
            assert instruction.key not in transfers, instruction.key
        else:
            transfer = transfers[instruction.key]
            assert transfer.amount == instruction.amount
            assert transfer.reference == instruction.gateway_reference
    assert statuses[PaymentStatus.SETTLED] == len(transfers)
    # each settlement signalled exactly once
    assert set(settled_signals.values()) == {1}
    assert len(settled_signals) == statuses[PaymentStatus.SETTLED]
    # the accounts the bank refuses are the failures left
    assert statuses[PaymentStatus.FAILED] >= INSTRUCTIONS // 20
    elapsed = time.monotonic() - started
    print(f"stress: {dict(statuses)}, {crashes['died']} workers died, {elapsed:.1f} s")  # noqa: T201

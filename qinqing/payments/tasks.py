"""Jobs of the payments app. Each takes ids or a period key, calls one service and is
safe to run twice or at once."""

from __future__ import annotations

import dataclasses
from typing import Any

from django_tasks import task

from qinqing.scheduling.registry import register_periodic


@task(queue_name="default")
def send_payment(instruction_id: int) -> str:
    """Send one payment instruction (or resolve its unknown outcome); returns its status."""
    from .services import payment_send

    return payment_send(instruction_id=instruction_id)


@task(queue_name="scheduler")
def reconcile_payments(period_key: str) -> dict[str, Any]:
    """Resolve expired leases and unknown outcomes by query; enqueue lost sends again."""
    from .services import payments_reconcile

    return {"period": period_key, **dataclasses.asdict(payments_reconcile())}


# The scheduler's smallest period: a payment stuck by a crash waits at most a lease and a minute.
register_periodic(name="payments.reconcile", task=reconcile_payments, period="minute")

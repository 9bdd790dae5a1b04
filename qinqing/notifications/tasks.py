"""Jobs of the notifications app. Each takes ids or a period key, calls services and is
safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.core.mail import get_connection
from django_tasks import TaskContext, task

from qinqing.scheduling.registry import register_periodic

from . import services


@task(queue_name="notifications", takes_context=True)
def deliver(context: TaskContext, delivery_ids: list[int]) -> dict[str, int]:
    """Send the given deliveries (each at most once); returns counts per outcome."""
    outcomes: dict[str, int] = {}
    # One connection for the batch: an SMTP server is not dialled once per message.
    connection = get_connection()
    try:
        for delivery_id in delivery_ids:
            status = services.delivery_send(
                delivery_id=delivery_id, task_id=str(context.task_result.id), email_connection=connection
            )
            outcomes[status] = outcomes.get(status, 0) + 1
    finally:
        connection.close()
    return outcomes


@task(queue_name="notifications")
def send_daily_digests(period_key: str) -> int:
    """The daily digest for the local day `period_key` (YYYY-MM-DD)."""
    return services.digest_send_daily(day_key=period_key)


register_periodic(
    name="notifications.daily_digest",
    task=send_daily_digests,
    period="day",
    at=dt.time(8, 0),
    queue="notifications",
)

"""Jobs of the deadlines app: the daily scan and the recomputation after a ladder
change. Each is safe to run twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from qinqing.scheduling.registry import register_periodic


@task(queue_name="scheduler")
def scan_deadlines(period_key: str) -> dict[str, Any]:
    """The scan for the local day `period_key` (YYYY-MM-DD)."""
    from .scan import deadlines_scan

    result = deadlines_scan(today=dt.date.fromisoformat(period_key))
    return {
        "today": period_key,
        "alerts": result.alerts,
        "by_rung": result.by_rung,
        "advanced": result.advanced,
    }


@task(queue_name="notifications")
def notify_alerts(first_alert_id: int, last_alert_id: int) -> int:
    """Tell people about the alerts a scan fired (ids first..last)."""
    from .scan import alerts_notify

    return alerts_notify(first_alert_id=first_alert_id, last_alert_id=last_alert_id)


@task(queue_name="default")
def reladder(kind: str = "", years: list[int] | None = None) -> int:
    """Recompute rung dates: of a kind's open items after its ladder changed (`kind`),
    or of the open items reaching into calendar years whose calendar changed (`years`),
    clearing or setting their provisional mark."""
    from .services import deadlines_reladder, deadlines_reladder_years

    if years:
        return deadlines_reladder_years(years=years)
    return deadlines_reladder(kind=kind)


# Shortly after midnight, so that a rung dated today fires today, before the 08:00 digest.
register_periodic(name="deadlines.scan", task=scan_deadlines, period="day", at=dt.time(0, 10))

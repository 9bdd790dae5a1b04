"""Housekeeping of the common app: counts of throttle windows that have ended."""

from __future__ import annotations

from django_tasks import task

from qinqing.scheduling.registry import register_periodic

from .throttle import throttle_counts_prune


@task(queue_name="scheduler")
def prune_throttle_counts(period_key: str) -> int:
    """Delete the throttles' counts of ended windows (safe to run twice)."""
    return throttle_counts_prune()


register_periodic(name="common.prune_throttle_counts", task=prune_throttle_counts, period="hour")

"""Tasks used by the scheduling tests (tasks must live at an importable path)."""

from __future__ import annotations

from django_tasks import task

RAN: list[str] = []


@task(queue_name="scheduler")
def record_period(period_key: str) -> str:
    RAN.append(period_key)
    return "ran " + period_key


@task(queue_name="scheduler")
def other_job(period_key: str) -> str:
    return period_key


@task(queue_name="scheduler")
def no_period_key(when: str) -> str:
    return when

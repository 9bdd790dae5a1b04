"""Jobs of the contracts app. Each is safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def redate_working_days(years: list[int]) -> int:
    """Due dates counted in working days across `years`, recomputed after their
    calendar changed."""
    from .services.recompute import obligations_redate_years

    return obligations_redate_years(years=years)

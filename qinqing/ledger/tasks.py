"""Jobs of the problem ledger. Each takes ids, calls one service, and is safe to run
twice."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def generate_ledger_report(report_id: str) -> str:
    """Prepare a requested report (figures and files); returns its final status."""
    from .services.reports import report_run

    return str(report_run(report_id=report_id).status)


@task(queue_name="default")
def refresh_ledger_dashboard(key: str) -> str:
    """Recompute a stale dashboard snapshot; returns what happened to it."""
    from .services.dashboard import dashboard_refresh

    return dashboard_refresh(key=key)

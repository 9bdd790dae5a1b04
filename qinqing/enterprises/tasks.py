"""Jobs of the enterprise registry."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def run_enterprise_import(import_id: int) -> str:
    """Import a queued file to its end; returns the import's final status. Safe to run
    twice (a finished import is left as it is)."""
    from .services.imports import enterprise_import_run

    return enterprise_import_run(import_id=import_id).status

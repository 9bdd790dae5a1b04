from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The data migrations that seed the official arrangements and the provisional years.
SEED_MIGRATION = "0002_seed_official_2020_2026"
PROVISIONAL_SEED_MIGRATION = "0006_seed_provisional_2027"


class WorkdaysConfig(AppConfig):
    name = "qinqing.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        post_migrate.connect(
            _reseed_after_flush, sender=self, dispatch_uid="qinqing.workdays.reseed_after_flush"
        )


def _reseed_after_flush(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Put the seeded calendar back after `flush` emptied every table.

    `flush` (and every transactional test's teardown) deletes the rows a data migration
    wrote, while the migration stays recorded as applied; without the calendar every
    working-day answer would then raise. Only a flush sends post_migrate without a
    migration `plan`; `migrate` itself (even back to 0001) is left alone.
    """
    if "plan" in kwargs:
        return
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from .models import CalendarYear
    from .testing import ensure_official_calendar

    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return
    applied = recorder.applied_migrations()
    if ("workdays", SEED_MIGRATION) not in applied:
        return
    if CalendarYear.objects.using(using).exists():
        return
    if ("workdays", PROVISIONAL_SEED_MIGRATION) in applied:
        ensure_official_calendar()
    else:
        ensure_official_calendar(provisional=())

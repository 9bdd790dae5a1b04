from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The migration that first installs the database guards (see guards.py).
GUARDS_MIGRATION = "0004_append_only_guards"


class AuditConfig(AppConfig):
    name = "qinqing.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        post_migrate.connect(_ensure_guards, sender=self, dispatch_uid="qinqing.audit.ensure_guards")


def _ensure_guards(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Put the guards back after any migration that dropped them: SQLite rebuilds a
    table (and loses its triggers) whenever a later migration alters it."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from .guards import guards_installed, install_guards

    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if not recorder.has_table() or ("audit", GUARDS_MIGRATION) not in recorder.applied_migrations():
        return
    if guards_installed(connection) is False:
        install_guards(connection)

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ScheduledRun, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Bookkeeping written by the system only: administrators read, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = [
        "job_name",
        "period_key",
        "status",
        "skipped_count",
        "skipped_through_key",
        "task_id",
        "scheduled_at",
    ]
    list_filter = ["status", "period", "job_name"]
    search_fields = ["job_name", "period_key", "task_id"]
    date_hierarchy = "period_start"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "hostname", "pid", "queues", "started_at", "last_seen", "stopped_at"]
    search_fields = ["worker_id", "hostname"]

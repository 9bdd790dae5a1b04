"""Read-only listings in Django's admin: edits go through the calendar page
(workdays:calendar) so that each is audited and reaches every process's cache."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CalendarDay, CalendarYear


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(_ReadOnly):
    list_display = ("date", "kind", "name", "note")
    list_filter = ("kind", "name")
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(_ReadOnly):
    list_display = ("year", "status", "source")
    list_filter = ("status",)

"""Read-only in the admin: declarations are the officials' own statements, changed only
through the services (and so through the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import RelationDeclaration


@admin.register(RelationDeclaration)
class RelationDeclarationAdmin(admin.ModelAdmin):
    list_display = ("official", "enterprise", "kind", "declared_at", "ended_at")
    list_filter = ("kind",)
    search_fields = (
        "official__username",
        "official__display_name",
        "enterprise__name",
        "enterprise__credit_code",
    )
    list_select_related = ("official", "enterprise")
    raw_id_fields = ("official", "enterprise")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

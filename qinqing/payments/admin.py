"""Admin pages: instructions and the treasury ledger are read-only (they change only
through the services); the treasury's behaviour is the one thing an admin sets here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import PaymentAttempt, PaymentInstruction, TreasuryMode, TreasuryTransfer
from .services import treasury_mode_set


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = PaymentAttempt
    extra = 0
    can_delete = False
    fields = ["kind", "number", "outcome", "reference", "detail", "started_at", "finished_at"]
    readonly_fields = ["kind", "number", "outcome", "reference", "detail", "started_at", "finished_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentInstruction)
class PaymentInstructionAdmin(ReadOnlyAdmin):
    list_display = ["key", "payee_name", "amount", "status", "attempts", "organisation", "created_at"]
    list_filter = ["status"]
    search_fields = ["key", "payee_name", "source_id", "gateway_reference"]
    list_select_related = ["organisation"]
    inlines = [AttemptInline]


@admin.register(TreasuryTransfer)
class TreasuryTransferAdmin(ReadOnlyAdmin):
    list_display = ["reference", "key", "amount", "payee", "account", "created_at"]
    search_fields = ["key", "reference", "payee"]


@admin.register(TreasuryMode)
class TreasuryModeAdmin(admin.ModelAdmin):
    list_display = [
        "behaviour",
        "fail_rate",
        "timeout_rate",
        "duplicate_rate",
        "unavailable_rate",
        "updated_at",
    ]
    fields = ["behaviour", "fail_rate", "timeout_rate", "duplicate_rate", "unavailable_rate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TreasuryMode.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TreasuryMode, form: Any, change: bool) -> None:
        saved = treasury_mode_set(
            actor=request.user,
            behaviour=obj.behaviour,
            fail_rate=obj.fail_rate,
            timeout_rate=obj.timeout_rate,
            duplicate_rate=obj.duplicate_rate,
            unavailable_rate=obj.unavailable_rate,
        )
        obj.pk = saved.pk

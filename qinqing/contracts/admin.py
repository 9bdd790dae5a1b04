"""Django admin: contract records are listed read-only. Every write of a project, an
obligation, a claim or a plan is a workflow step with its rights, locks and audit event
(see `services`), and admins configure only (the ladders are on the deadlines' admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Clause,
    Contract,
    DueDateChange,
    FulfilmentClaim,
    MissedDateKept,
    MissedDateMove,
    Obligation,
    Project,
    ProjectEvent,
    RemedyPlan,
)


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(_ReadOnly):
    list_display = ("reference", "name", "enterprise", "committee", "signed_on", "status")
    list_filter = ("status", "committee")
    search_fields = ("reference", "name", "enterprise__name")


@admin.register(Contract)
class ContractAdmin(_ReadOnly):
    list_display = ("number", "title", "project", "kind", "signed_on", "status")
    list_filter = ("kind", "status")
    search_fields = ("number", "title", "project__reference")


@admin.register(Clause)
class ClauseAdmin(_ReadOnly):
    list_display = ("__str__", "title", "contract")
    search_fields = ("number", "title", "contract__number")


@admin.register(ProjectEvent)
class ProjectEventAdmin(_ReadOnly):
    list_display = ("project", "key", "label", "occurred_on")
    search_fields = ("key", "label", "project__reference")


@admin.register(Obligation)
class ObligationAdmin(_ReadOnly):
    list_display = (
        "title",
        "project",
        "obligor_side",
        "obligor_department",
        "kind",
        "due_date",
        "original_due_date",
        "status",
        "days_early",
    )
    list_filter = ("obligor_side", "kind", "status")
    search_fields = ("title", "project__reference", "project__name")


@admin.register(DueDateChange)
class DueDateChangeAdmin(_ReadOnly):
    list_display = ("obligation", "old_date", "new_date", "reason", "changed_by", "changed_at")
    list_filter = ("reason",)


@admin.register(MissedDateMove)
class MissedDateMoveAdmin(_ReadOnly):
    list_display = ("obligation", "old_date", "new_date", "event", "claim", "reason", "moved_by", "moved_at")


@admin.register(MissedDateKept)
class MissedDateKeptAdmin(_ReadOnly):
    list_display = ("obligation", "missed_date", "calendar_date", "years", "recorded_at")


@admin.register(FulfilmentClaim)
class FulfilmentClaimAdmin(_ReadOnly):
    list_display = ("obligation", "met_on", "achieved_value", "status", "outcome", "claimed_by", "claimed_at")
    list_filter = ("status", "outcome")


@admin.register(RemedyPlan)
class RemedyPlanAdmin(_ReadOnly):
    list_display = ("obligation", "due_date", "proposed_date", "status", "submitted_by", "submitted_at")
    list_filter = ("status",)

"""Django admin: ladder overrides are edited through the service (validated and
audited); deadlines and alerts are listed read-only (their writes are workflow steps)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ApplicationError

from . import services
from .ladders import registered_ladders, rungs_from_json
from .models import Alert, Deadline, LadderOverride


class LadderOverrideForm(forms.ModelForm):  # type: ignore[type-arg]
    kind = forms.ChoiceField(label=_("kind"), choices=())

    class Meta:
        model = LadderOverride
        fields = ["kind", "rungs", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (ladder.kind, f"{ladder.kind} · {ladder.label}") for ladder in registered_ladders()
        ]
        self.fields["rungs"].help_text = _(
            'For example [{"name": "warning", "offset": -3, "unit": "working"}].'
        )

    def clean_rungs(self) -> Any:
        value = self.cleaned_data["rungs"]
        try:
            return [r.as_json() for r in rungs_from_json(value)]
        except ApplicationError as exc:
            raise forms.ValidationError([str(e) for errors in exc.fields.values() for e in errors]) from exc


@admin.register(LadderOverride)
class LadderOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = LadderOverrideForm
    list_display = ("kind", "note", "updated_by", "updated_at")

    def save_model(self, request: HttpRequest, obj: LadderOverride, form: Any, change: bool) -> None:
        saved = services.ladder_override_set(
            actor=request.user, kind=obj.kind, rungs=obj.rungs, note=obj.note
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: LadderOverride) -> None:
        services.ladder_override_clear(actor=request.user, kind=obj.kind)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            services.ladder_override_clear(actor=request.user, kind=obj.kind)


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(_ReadOnly):
    list_display = (
        "__str__",
        "kind",
        "organisation",
        "due_date",
        "status",
        "paused",
        "provisional",
        "last_rung",
        "next_rung_on",
    )
    list_filter = ("kind", "status", "paused", "provisional", "last_rung")
    search_fields = ("title", "object_type", "object_id")


@admin.register(Alert)
class AlertAdmin(_ReadOnly):
    list_display = ("deadline", "rung", "due_date", "rung_on", "fired_on")
    list_filter = ("rung", "fired_on")

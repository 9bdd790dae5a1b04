"""Django's admin writes through models, not services; this mixin puts every admin
save and delete on the audit trail too, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from qinqing.audit.services import audit_record


def _snapshot(obj: Any) -> dict[str, Any]:
    data = model_to_dict(obj)
    return {k: v for k, v in data.items() if k not in {"password"} and not hasattr(v, "read")}


class AuditedAdminMixin:
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            audit_record(
                actor=request.user,
                action=f"admin.{'change' if change else 'add'}",
                obj=obj,
                before=before,
                after=_snapshot(obj),
            )

    def delete_model(self, request: Any, obj: Any) -> None:
        with transaction.atomic():
            before = _snapshot(obj)
            pk = obj.pk
            super().delete_model(request, obj)  # type: ignore[misc]
            audit_record(
                actor=request.user,
                action="admin.delete",
                object_type=obj._meta.label_lower,
                object_id=pk,
                before=before,
            )

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

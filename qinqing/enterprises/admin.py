"""Django admin for the registry: search and view everything; changes go through the
services (so they are checked and audited like any other), never a bare save()."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from qinqing.accounts.models import User
from qinqing.common.errors import ApplicationError

from .models import Enterprise, EnterpriseImport, EnterpriseLabel
from .selectors import region_nodes, registry_can_read, registry_can_write
from .services import (
    EDITABLE_FIELDS,
    UPDATABLE_FIELDS,
    DuplicateCreditCode,
    enterprise_create,
    enterprise_update,
)
from .validation import clean_fields


class EnterpriseAdminForm(forms.ModelForm):
    """Runs the services' field rules, so the admin shows the same messages as the API."""

    class Meta:
        model = Enterprise
        fields = ("credit_code", "region", *EDITABLE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            region_field: Any = self.fields["region"]
            region_field.queryset = region_nodes()
            region_field.required = self.instance.pk is not None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        present = {k: v for k, v in data.items() if k in UPDATABLE_FIELDS | {"credit_code"} and k != "region"}
        cleaned, problems = clean_fields(present)
        for problem in problems:
            if problem.field in self.fields:
                self.add_error(problem.field, problem.message)
            else:
                self.add_error(None, problem.message)
        code = cleaned.get("credit_code")
        if self.instance.pk is None and code and Enterprise.objects.filter(credit_code=code).exists():
            self.add_error("credit_code", str(DuplicateCreditCode.default_message))
        return data


class EnterpriseLabelInline(admin.TabularInline):
    """Read-only: labels change on the registry page, through the audited service."""

    model = EnterpriseLabel
    extra = 0
    fields = ("key", "value", "since")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    form = EnterpriseAdminForm
    list_display = ("name", "credit_code", "region", "industry_code", "status", "bank_account_verified")
    list_filter = ("status", "bank_account_verified", "region")
    search_fields = ("name", "name_pinyin", "name_initials", "=credit_code", "bank_account_number")
    list_select_related = ("region",)
    show_full_result_count = False  # a count of a million rows on every page is not free
    inlines = (EnterpriseLabelInline,)
    readonly_fields = (
        "public_id",
        "name_pinyin",
        "name_initials",
        "pinyin_override",
        "region_code",
        "bank_account_verified",
        "bank_account_verified_at",
        "source_import",
        "created_at",
        "updated_at",
    )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        # ModelAdmin wraps this view in a transaction; the services open their own
        # durable one (with the audit event), which cannot nest. Nothing else here writes
        # but Django's own change log.
        return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return ("credit_code", *self.readonly_fields)
        return self.readonly_fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return registry_can_read(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return registry_can_write(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return registry_can_write(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An enterprise leaves the registry by status (deregistered), never by deletion.
        return False

    def save_model(self, request: HttpRequest, obj: Enterprise, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in UPDATABLE_FIELDS if f in form.cleaned_data}
        try:
            if change:
                changed = {f: v for f, v in data.items() if f in form.changed_data}
                saved = enterprise_update(actor=cast(User, request.user), enterprise=obj, data=changed)
            else:
                saved = enterprise_create(
                    actor=cast(User, request.user),
                    credit_code=form.cleaned_data["credit_code"],
                    **data,
                )
        except ApplicationError as exc:
            # Checked in the form already; what remains is a race with another change.
            raise forms.ValidationError(str(exc.message)) from exc
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(EnterpriseImport)
class EnterpriseImportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "file_name", "actor", "status", "row_count", "created_count", "error_count")
    list_filter = ("status", "file_format")
    search_fields = ("file_name", "sha256")
    readonly_fields = [f.name for f in EnterpriseImport._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return registry_can_write(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from qinqing.common.admin import AuditedAdminMixin

from .models import ApiToken, LoginFailure, Organisation, RoleAssignment, User
from .services import organisation_create


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["enterprise"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "display_name", "email", "is_active", "last_login"]
    search_fields = ["username", "display_name", "email", "phone"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Qinqing", {"fields": ("display_name", "phone", "language")}),
    )
    inlines = [RoleAssignmentInline]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent", "region_code"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "name_en"]
    readonly_fields = ["path", "depth", "public_id"]
    filter_horizontal = ["supervised"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Moving a node would rewrite its subtree's paths: not an edit of one row.
        if obj is not None:
            return [*self.readonly_fields, "code", "kind", "parent"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if change:
            super().save_model(request, obj, form, change)
            return
        created = organisation_create(
            actor=request.user,
            code=obj.code,
            name=obj.name,
            kind=obj.kind,
            parent=obj.parent,
            name_en=obj.name_en,
            region_code=obj.region_code,
            zone_name=obj.zone_name,
        )
        obj.pk = created.pk
        obj.path, obj.depth = created.path, created.depth


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["username", "address", "at"]
    search_fields = ["username", "address"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix", "last_used_at"]

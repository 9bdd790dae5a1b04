from django.contrib import admin

from .models import Policy, PolicyVersion


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    extra = 0
    can_delete = False
    readonly_fields = ("number", "rule", "created_by", "created_at", "published_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services so that it is audited."""

    list_display = ("code", "title", "department", "status", "valid_from", "valid_until", "budget_total")
    list_filter = ("status",)
    search_fields = ("code", "title", "basis_number")
    inlines = (PolicyVersionInline,)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

"""The Django admin's site, whose login signs a person in in their own language as the
platform's login page does (`views.language_at_login`): Django's admin login is a view
of its own, which neither applied nor stored the person's language."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from .models import User
from .views import language_at_login


class AdminSite(admin.AdminSite):
    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        # Django's login view answers a POST with a redirect only once it has signed the
        # person in (a refused one is the form again, 200): request.user is them now.
        if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:  # noqa: PLR2004
            language_at_login(request, cast(User, request.user), response)
        return response

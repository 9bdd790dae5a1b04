from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from qinqing.accounts.scoping import scope_for


def require_roles(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow a view only to users holding one of `roles` (admins count as `admin`)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            scope = scope_for(request.user)
            held = set(scope.roles) | ({"admin"} if scope.is_admin else set())
            if not held.intersection(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


require_admin = require_roles("admin")
require_supervisor = require_roles("supervisor")

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import nav_items, public_nav_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": public_nav_items(request.path)}
    return {"nav_items": nav_items(user, request.path)}

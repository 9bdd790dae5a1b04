from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import nav_items, nav_markup, public_nav_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        items = public_nav_items(request.path)
    else:
        items = nav_items(user, request.path)
    return {"nav_items": items, **nav_markup(items)}

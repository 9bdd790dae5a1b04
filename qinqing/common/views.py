"""Error pages in the user's language; never a bare 500 page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _respond(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _respond(request, 400, "bad_request", _("The request was not understood."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _respond(request, 403, "forbidden", _("You are not allowed to see this page."))


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _respond(request, 404, "not_found", _("No such page, or it is not visible to you."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _respond(
        request, 500, "server_error", _("Something went wrong on our side. Nothing you saved was lost.")
    )

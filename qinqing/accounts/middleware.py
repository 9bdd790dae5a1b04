from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SESSION_STARTED = "qq_started"
SESSION_SEEN = "qq_seen"


class SessionExpiryMiddleware:
    """Ends a session after SESSION_IDLE_MINUTES without a request, or
    SESSION_ABSOLUTE_MINUTES after login, whichever comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            seen = request.session.get(SESSION_SEEN)
            if started is None:
                request.session[SESSION_STARTED] = now
            idle = seen is not None and now - seen > settings.SESSION_IDLE_MINUTES * 60
            absolute = started is not None and now - started > settings.SESSION_ABSOLUTE_MINUTES * 60
            if idle or absolute:
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
            # Write the session at most once a minute: a write per request is wasted IO.
            elif seen is None or now - seen > 60:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)

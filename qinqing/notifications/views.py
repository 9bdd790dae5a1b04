from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from qinqing.common.errors import NotFound

from .selectors import access_notification_by_public_id, notification_list, notification_unread_count
from .services import notification_mark_all_read, notification_mark_read

PAGE_SIZE = 30
# Tells the navbar badge (and anything else listening) to refresh itself.
CHANGED_EVENT = "notifications-changed"


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    paginator = Paginator(notification_list(user=request.user, unread_only=unread_only), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread_count": notification_unread_count(user=request.user),
    }
    return render(request, "notifications/inbox.html", context)


@require_GET
@login_required
def badge(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/badge.html",
        {"unread_count": notification_unread_count(user=request.user)},
    )


@require_GET
@login_required
def open_link(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Follow a message's link: opening what it is about is reading it. The inbox links
    through here; a message without a link of this site leads back to the inbox."""
    try:
        notification = access_notification_by_public_id(request.user, public_id)
    except NotFound:
        raise Http404 from None
    notification = notification_mark_read(actor=request.user, notification=notification)  # type: ignore[arg-type]
    return redirect(notification.safe_url or "notifications:inbox")


@require_POST
@login_required
def mark_read(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        notification = access_notification_by_public_id(request.user, public_id)
    except NotFound:
        raise Http404 from None
    notification = notification_mark_read(actor=request.user, notification=notification)  # type: ignore[arg-type]
    if request.headers.get("HX-Request"):
        response = render(request, "notifications/_item.html", {"n": notification})
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count}
        if count
        else _("Nothing was unread."),
    )
    return redirect("notifications:inbox")

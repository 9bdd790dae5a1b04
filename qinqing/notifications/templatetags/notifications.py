"""For the navbar: `{% load notifications %}` then `{% inbox_badge %}` (a link to the
inbox with the unread count, refreshed by htmx when notifications change) or
`{% unread_notifications_count as n %}`."""

from __future__ import annotations

from typing import Any

from django import template

from qinqing.notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications_count(context: template.Context) -> int:
    request = context.get("request")
    return notification_unread_count(user=getattr(request, "user", None))


@register.inclusion_tag("notifications/badge.html", takes_context=True)
def inbox_badge(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {"unread_count": notification_unread_count(user=getattr(request, "user", None))}

"""Reads of the inbox. A user only ever reaches their own notifications."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import F, QuerySet

from qinqing.common.errors import NotFound

from .models import Notification


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's inbox: unread first, then newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


_UNREAD_SQL = f"""
    SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE recipient_id = %s AND read_at IS NULL
"""  # noqa: S608 - the table's name from the model, the user's id a parameter


def notification_unread_count(*, user: Any) -> int:
    """The inbox badge's count, on every page: one hand-written statement (the ORM's
    query building cost more than the count itself)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def access_notification_by_public_id(user: Any, public_id: UUID | str) -> Notification:
    """The user's own notification, or NotFound (another's is indistinguishable from none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    try:
        return Notification.objects.get(recipient_id=user.pk, public_id=public_id)
    except (Notification.DoesNotExist, ValueError):
        raise NotFound() from None

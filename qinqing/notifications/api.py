"""The inbox over the JSON API: a user reads and marks only their own notifications."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qinqing.common.api import MAX_OFFSET

from .models import Notification
from .selectors import access_notification_by_public_id, notification_list, notification_unread_count
from .services import notification_mark_all_read, notification_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: UUID
    kind: str
    subject: str
    body: str
    url: str
    urgent: bool
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def of(n: Notification) -> NotificationOut:
        return NotificationOut(
            id=n.public_id,
            kind=n.kind,
            subject=n.display_subject,
            body=n.display_body,
            url=n.safe_url,
            urgent=n.urgent,
            created_at=n.created_at,
            read_at=n.read_at,
        )


class NotificationPage(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class ListFilter(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get("", response=NotificationPage, summary="My notifications, unread first")
def list_notifications(request: HttpRequest, filters: Query[ListFilter]) -> NotificationPage:
    qs = notification_list(user=request.user, unread_only=filters.unread)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return NotificationPage(
        count=qs.count(),
        unread=notification_unread_count(user=request.user),
        items=[NotificationOut.of(n) for n in items],
    )


@router.get("/unread-count", response=UnreadOut, summary="How many of my notifications are unread")
def unread_count(request: HttpRequest) -> UnreadOut:
    return UnreadOut(unread=notification_unread_count(user=request.user))


@router.post("/read-all", response=MarkedOut, summary="Mark all my notifications read")
def read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=notification_mark_all_read(actor=request.user))  # type: ignore[arg-type]


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one of my notifications read")
def read_one(request: HttpRequest, notification_id: UUID) -> NotificationOut:
    notification = access_notification_by_public_id(request.user, notification_id)
    return NotificationOut.of(notification_mark_read(actor=request.user, notification=notification))  # type: ignore[arg-type]

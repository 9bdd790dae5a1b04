"""Notifications: the inbox, outbound deliveries (e-mail, SMS), digests and the outbox.

A notification is keyed by the event that caused it (`event_key`, chosen by the caller,
e.g. "contracts.clause:412:warning") so that raising the same event twice never tells
anyone twice: the UNIQUE constraints below make every write idempotent.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel

from .text import texts_render

EVENT_KEY_MAX = 200


class Channel(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


OUTBOUND_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS})


class Notification(models.Model):
    """One message in one user's inbox."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event_key = models.CharField(_("event"), max_length=EVENT_KEY_MAX)
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # The subject and body as msgids and parameters (`text.texts_form`), so the inbox
    # shows them in the reader's language of the day; empty for texts given as plain
    # strings (and rows written before), which show `subject` and `body` as stored.
    texts = models.JSONField(_("texts to translate"), null=True, blank=True, editable=False)
    url = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="notification_once_per_event"),
        ]
        indexes = [
            # The inbox page and the navbar count: a user's unread first, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def display_subject(self) -> str:
        """The subject in the active language (the reader's, on a page or the API)."""
        return self._displayed()[0]

    @property
    def display_body(self) -> str:
        return self._displayed()[1]

    def _displayed(self) -> tuple[str, str]:
        language = translation.get_language()
        cached = self.__dict__.get("_displayed_cache")
        if cached is not None and cached[0] == language:
            return cached[1]  # type: ignore[no-any-return]
        shown = texts_render(self.texts, subject=self.subject, body=self.body)
        self.__dict__["_displayed_cache"] = (language, shown)
        return shown

    @property
    def safe_url(self) -> str:
        """The link, if it stays on this site: a notification never sends anyone away."""
        if self.url and url_has_allowed_host_and_scheme(self.url, allowed_hosts=None):
            return self.url
        return ""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # The sender started but never recorded an outcome (a crash mid-send): the message
    # may or may not have left, so it is not resent automatically.
    UNKNOWN = "unknown", _("Outcome unknown")
    SKIPPED = "skipped", _("Skipped: no address")


class Delivery(TimeStampedModel):
    """One outbound message (e-mail or SMS) for one event to one recipient."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        DeliveryStatus.PENDING: frozenset({DeliveryStatus.SENDING}),
        DeliveryStatus.SENDING: frozenset(
            {DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.PENDING, DeliveryStatus.UNKNOWN}
        ),
        DeliveryStatus.SENT: frozenset(),
        DeliveryStatus.FAILED: frozenset({DeliveryStatus.PENDING}),
        # SENT: the original sender reported back after another run had given up on it.
        DeliveryStatus.UNKNOWN: frozenset({DeliveryStatus.PENDING, DeliveryStatus.SENT}),
        DeliveryStatus.SKIPPED: frozenset(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_key = models.CharField(_("event"), max_length=EVENT_KEY_MAX)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    # The job that holds the current send, so that another job can tell a crashed
    # send (leave it UNKNOWN) from one still running (leave it alone).
    sending_task_id = models.CharField(_("sending task"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient", "channel"], name="delivery_once_per_event_channel"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=[Channel.EMAIL, Channel.SMS]), name="delivery_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address or '-'}: {self.subject}"


class Digest(TimeStampedModel):
    """The one summary a recipient gets for one day, listing that day's digest items."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField(_("day"))
    item_count = models.PositiveIntegerField(_("items"), default=0)

    class Meta:
        ordering = ["-day", "recipient_id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"

    @property
    def event_key(self) -> str:
        return digest_event_key(self.day.isoformat())


def digest_event_key(day_key: str) -> str:
    return "notifications.digest:" + day_key


class DigestItem(models.Model):
    """A notification held back for the recipient's next daily digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_items"
    )
    event_key = models.CharField(_("event"), max_length=EVENT_KEY_MAX)
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    digest = models.ForeignKey(Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="digest_item_once_per_event"),
        ]
        indexes = [models.Index(fields=["digest", "recipient", "created_at"], name="digest_item_pending")]

    def __str__(self) -> str:
        return self.subject


class OutboxMessage(models.Model):
    """A message handed to the built-in outbox backends instead of a real provider.

    The default e-mail and SMS backends write here, so a demo or a test installation
    "sends" without any server, and an administrator can read what went out.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    provider_message_id = models.CharField(_("message id"), max_length=64, unique=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    body = models.TextField(_("text"))
    raw = models.TextField(_("raw message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=[Channel.EMAIL, Channel.SMS]), name="outbox_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to}"

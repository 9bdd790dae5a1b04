"""The SMS interface. A provider is a class with `send(to, text) -> message id`,
chosen by the SMS_BACKEND setting (a dotted path), so a real gateway plugs in by
configuration and the code never changes."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend:
    """Interface: send one text message, return the provider's message id, or raise."""

    def send(self, to: str, text: str) -> str:
        raise NotImplementedError


class OutboxSmsBackend(SmsBackend):
    """Keeps each message in the outbox table instead of sending it (demo, tests)."""

    def send(self, to: str, text: str) -> str:
        from .models import Channel, OutboxMessage

        message_id = "sms-" + uuid.uuid4().hex
        OutboxMessage.objects.create(
            channel=Channel.SMS,
            provider_message_id=message_id,
            to=to,
            body=text,
        )
        return message_id


class LoggingSmsBackend(SmsBackend):
    """Writes each message to the log instead of sending it."""

    def send(self, to: str, text: str) -> str:
        message_id = "log-" + uuid.uuid4().hex
        logger.info("SMS %s to %s: %s", message_id, to, text)
        return message_id


def get_sms_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "qinqing.notifications.sms.OutboxSmsBackend")
    backend = import_string(path)()
    if not isinstance(backend, SmsBackend):
        raise TypeError("SMS_BACKEND must name a subclass of qinqing.notifications.sms.SmsBackend")
    return backend

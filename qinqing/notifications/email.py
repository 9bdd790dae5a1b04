"""An e-mail backend that keeps messages in the outbox table instead of sending them.

The default EMAIL_BACKEND, so that the demo and tests need no mail server and an
administrator can read every message in the admin. Production sets EMAIL_BACKEND to
Django's SMTP backend (and EMAIL_HOST etc.).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from .models import Channel, OutboxMessage

        sent = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            message_id = str(message.extra_headers.get("Message-ID") or "<" + uuid.uuid4().hex + "@outbox>")
            OutboxMessage.objects.create(
                channel=Channel.EMAIL,
                provider_message_id=message_id[:64],
                from_address=str(message.from_email or ""),
                to=", ".join(recipients),
                subject=str(message.subject or ""),
                body=str(message.body or ""),
                raw=message.message().as_string(),
            )
            sent += 1
        return sent

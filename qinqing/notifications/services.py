"""Telling people things: the inbox, e-mail, SMS and the daily digest.

Callers use `notify()` (one event, some recipients) or `notify_many()` (bulk) inside
the transaction of the change that caused the event. Everything written here joins
that transaction: the inbox rows, the deliveries and the job that sends them commit or
roll back with the change, so nobody is told about something that did not happen.

Idempotent by design: `event_key` names the event (say "contracts.clause:412:warning").
An inbox row is UNIQUE per (event_key, recipient), a delivery per (event_key,
recipient, channel), a digest item per (event_key, recipient); repeats are ignored.

Subjects and bodies may be lazy translations (`gettext_lazy`, `format_lazy`,
`text.message`): they are rendered once per recipient in the recipient's own language,
and an inbox row also keeps them as msgids and parameters (`Notification.texts`) so the
inbox shows them in whatever language its reader uses when reading.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import ngettext_lazy
from django_tasks import TaskResultStatus

from qinqing.accounts.models import User
from qinqing.audit.services import audit_record
from qinqing.common.errors import InvalidTransition, NotFound

from .models import (
    EVENT_KEY_MAX,
    OUTBOUND_CHANNELS,
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    DigestItem,
    Notification,
    digest_event_key,
)
from .sms import get_sms_backend
from .text import message, texts_for, texts_form

logger = logging.getLogger(__name__)

Text = str | Promise

# Rows per INSERT and per IN (...) list: well under SQLite's bound-parameter limit.
_CHUNK = 500


@dataclass(frozen=True)
class NotificationSpec:
    """One event for some recipients; the bulk form of `notify()`'s arguments."""

    recipients: Sequence[User]
    event_key: str
    kind: str
    subject: Text
    body: Text = ""
    url: str = ""
    urgent: bool = False
    digest: bool = False
    channels: Sequence[str] = field(default=(Channel.INBOX,))
    # An event-key prefix naming the record this event is about ("case:12:"): the
    # recipient's earlier unread inbox messages under it are settled (marked read) when
    # this one is written (to the inbox, or held for the digest). A later event on the record says where it stands now, so a call
    # to act on an earlier state ("is it really fixed?") no longer asks for action.
    supersedes: str = ""


# --- Writing notifications ----------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User],
    event_key: str,
    kind: str,
    subject: Text,
    body: Text,
    url: str = "",
    urgent: bool = False,
    digest: bool = False,
    channels: Sequence[str] = (Channel.INBOX,),
    supersedes: str = "",
) -> int:
    """Tell `recipients` about one event; returns how many recipients got something new.

    Call inside the transaction of the change. `channels` is any of "inbox", "email",
    "sms". `digest=True` holds the message back for the recipient's daily digest
    (one inbox message and one e-mail per day) unless `urgent`, which always goes out
    at once. Calling again with the same `event_key` does nothing more. `supersedes`
    (an event-key prefix) marks read what the recipients were told earlier under it.
    """
    spec = NotificationSpec(
        recipients=list(recipients),
        event_key=event_key,
        kind=kind,
        subject=subject,
        body=body,
        url=url,
        urgent=urgent,
        digest=digest,
        channels=tuple(channels),
        supersedes=supersedes,
    )
    return notify_many([spec])


def notify_many(items: Iterable[NotificationSpec]) -> int:
    """Bulk `notify()`: bulk inserts that skip what exists, and ONE delivery job for the
    whole batch. Returns how many (event, recipient) pairs got something new."""
    specs = list(items)
    for spec in specs:
        _validate(spec)
    if not specs:
        return 0
    with transaction.atomic():
        inbox: list[Notification] = []
        digest_items: list[DigestItem] = []
        deliveries: list[Delivery] = []
        for spec in specs:
            held = spec.digest and not spec.urgent
            # Once per event: the same msgids and parameters for every recipient.
            form = (
                texts_form(spec.subject, spec.body) if Channel.INBOX in spec.channels and not held else None
            )
            for user in _active(spec.recipients):
                subject, body = _render(spec, user)
                if held:
                    digest_items.append(
                        DigestItem(
                            recipient=user,
                            event_key=spec.event_key,
                            kind=spec.kind,
                            subject=subject,
                            body=body,
                            url=spec.url,
                        )
                    )
                    continue
                if Channel.INBOX in spec.channels:
                    inbox.append(
                        Notification(
                            recipient=user,
                            event_key=spec.event_key,
                            kind=spec.kind,
                            subject=subject,
                            body=body,
                            texts=texts_for(form, language=_language(user)),
                            url=spec.url,
                            urgent=spec.urgent,
                        )
                    )
                for channel in spec.channels:
                    if channel in OUTBOUND_CHANNELS:
                        address = _address(user, channel)
                        deliveries.append(
                            Delivery(
                                recipient=user,
                                event_key=spec.event_key,
                                channel=channel,
                                address=address,
                                subject=subject,
                                body=body,
                                url=spec.url,
                                urgent=spec.urgent,
                                status=DeliveryStatus.PENDING if address else DeliveryStatus.SKIPPED,
                            )
                        )

        new_inbox = _insert_new(Notification, inbox, ("event_key", "recipient_id"))
        new_digest_items = _insert_new(DigestItem, digest_items, ("event_key", "recipient_id"))
        new_deliveries = _insert_new(Delivery, deliveries, ("event_key", "recipient_id", "channel"))
        new_pairs = new_inbox | new_digest_items | {(key, rid) for key, rid, _channel in new_deliveries}
        superseded = _supersede(specs, new_inbox | new_digest_items)

        to_send = _pending_delivery_ids(new_deliveries)
        if to_send:
            _enqueue_deliveries(to_send)
        if new_pairs:
            keys = sorted({key for key, _rid in new_pairs})
            audit_record(
                actor=None,
                action="notification.notify",
                object_type="notifications.event",
                object_id=keys[0][:64] if len(keys) == 1 else "batch",
                after={
                    "event_keys": keys[:50],
                    "event_count": len(keys),
                    "kinds": sorted({s.kind for s in specs}),
                    "recipients_new": len(new_pairs),
                    "inbox_new": len(new_inbox),
                    "digest_items_new": len(new_digest_items),
                    "deliveries_new": len(new_deliveries),
                    "deliveries_enqueued": len(to_send),
                    "superseded": superseded,
                },
            )
    return len(new_pairs)


def _supersede(specs: Sequence[NotificationSpec], told: set[tuple[Any, ...]]) -> int:
    """Mark read, for each recipient newly told (in the inbox, or in the coming digest)
    of an event whose spec names a record, their earlier unread inbox messages about
    that record; how many."""
    now = timezone.now()
    settled = 0
    for spec in specs:
        if not spec.supersedes:
            continue
        recipient_ids = sorted(rid for key, rid in told if key == spec.event_key)
        for chunk in _chunks(recipient_ids):
            settled += (
                Notification.objects.filter(
                    recipient_id__in=chunk,
                    read_at__isnull=True,
                    event_key__startswith=spec.supersedes,
                )
                .exclude(event_key=spec.event_key)
                .update(read_at=now)
            )
    return settled


def _validate(spec: NotificationSpec) -> None:
    # Programming errors, not user input: fail loudly in the caller's tests.
    if not spec.event_key or len(spec.event_key) > EVENT_KEY_MAX:
        raise ValueError(f"event_key must be 1 to {EVENT_KEY_MAX} characters")
    if not spec.kind or len(spec.kind) > 64:
        raise ValueError("kind must be 1 to 64 characters")
    unknown = set(spec.channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown notification channels: {', '.join(sorted(unknown))}")
    if not spec.channels:
        raise ValueError("channels must name at least one channel")
    if len(spec.url) > 500:
        raise ValueError("url must be at most 500 characters")
    if spec.supersedes and not spec.event_key.startswith(spec.supersedes):
        raise ValueError("supersedes must be a prefix of the event's own key")


def _active(recipients: Iterable[User]) -> Iterator[User]:
    """Each active recipient once: a deactivated account can neither read nor be reached."""
    seen: set[int] = set()
    for user in recipients:
        if user.pk is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        yield user


def _address(user: User, channel: str) -> str:
    if channel == Channel.EMAIL:
        return (user.email or "").strip()
    return (user.phone or "").strip()


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _render(spec: NotificationSpec, user: User) -> tuple[str, str]:
    """Subject and body for one recipient; lazy translations in the recipient's language."""
    if isinstance(spec.subject, Promise) or isinstance(spec.body, Promise):
        with translation.override(_language(user)):
            return Truncator(str(spec.subject)).chars(200), str(spec.body)
    return Truncator(spec.subject).chars(200), spec.body


def _chunks(seq: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def _insert_new(model: Any, rows: list[Any], key_fields: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """Insert the rows whose key does not exist yet; return the keys inserted.

    The existing keys are read first so the count of new rows is exact in the common
    case; the INSERT still ignores conflicts, so a concurrent writer of the same event
    is harmless (at worst both count it, and nothing is written twice).
    """
    if not rows:
        return set()
    wanted: dict[tuple[Any, ...], Any] = {}
    for row in rows:
        wanted.setdefault(tuple(getattr(row, f) for f in key_fields), row)
    keys = sorted({k[0] for k in wanted})
    recipient_ids = sorted({k[1] for k in wanted})
    existing: set[tuple[Any, ...]] = set()
    for key_chunk in _chunks(keys):
        for rid_chunk in _chunks(recipient_ids):
            existing.update(
                model.objects.filter(event_key__in=key_chunk, recipient_id__in=rid_chunk).values_list(
                    *key_fields
                )
            )
    fresh = [row for key, row in wanted.items() if key not in existing]
    for chunk in _chunks(fresh):
        model.objects.bulk_create(chunk, ignore_conflicts=True)
    return {key for key in wanted if key not in existing}


def _pending_delivery_ids(new_keys: set[tuple[Any, ...]]) -> list[int]:
    if not new_keys:
        return []
    keys = sorted({k[0] for k in new_keys})
    ids: list[int] = []
    for key_chunk in _chunks(keys):
        rows = Delivery.objects.filter(event_key__in=key_chunk, status=DeliveryStatus.PENDING).values_list(
            "pk", "event_key", "recipient_id", "channel"
        )
        ids.extend(pk for pk, key, rid, channel in rows if (key, rid, channel) in new_keys)
    return sorted(ids)


def _enqueue_deliveries(delivery_ids: list[int], *, run_after: dt.datetime | None = None) -> str:
    """One job for the batch; the row is written in the current transaction."""
    from .tasks import deliver

    job = deliver.using(run_after=run_after) if run_after is not None else deliver
    result = job.enqueue(delivery_ids=delivery_ids)
    return str(result.id)


# --- Sending ------------------------------------------------------------------------------


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def lock_delivery(delivery_id: int) -> Delivery | None:
    return Delivery.objects.select_for_update().filter(pk=delivery_id).first()


def delivery_send(*, delivery_id: int, task_id: str = "", email_connection: Any = None) -> str:
    """Send one delivery at most once; returns its status afterwards.

    PENDING → SENDING is committed before the provider is called, so a crash mid-send
    leaves SENDING behind. A later run that finds SENDING left by a task that is no
    longer running (or by its own earlier attempt, requeued after its worker died)
    records UNKNOWN instead of sending again: the message may have left. `task_id` is
    the id of the job calling (empty outside a job); `email_connection` an open e-mail
    backend connection to reuse across a batch.
    """
    delivery, status = _delivery_claim(delivery_id=delivery_id, task_id=task_id)
    if delivery is None:
        return status
    try:
        message_id = _send(delivery, email_connection=email_connection)
    except Exception as exc:
        logger.warning("delivery %s failed: %s", delivery_id, exc)
        return _record_failure(delivery_id, exc)
    return _record_sent(delivery_id, message_id)


def _delivery_claim(*, delivery_id: int, task_id: str) -> tuple[Delivery | None, str]:
    """Move PENDING → SENDING and commit; anything else is settled here and returned."""
    with transaction.atomic(durable=True):
        delivery = lock_delivery(delivery_id)
        if delivery is None:
            return None, "missing"
        if delivery.status == DeliveryStatus.SENDING:
            other = delivery.sending_task_id
            if other and other != task_id and _task_pending_or_running(other):
                return None, str(delivery.status)
            _transition(delivery, DeliveryStatus.UNKNOWN)
            delivery.last_error = "The sender stopped before recording whether the message left."
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            _audit_delivery(delivery, "notification.delivery.unknown")
            return None, str(delivery.status)
        if delivery.status != DeliveryStatus.PENDING:
            return None, str(delivery.status)
        _transition(delivery, DeliveryStatus.SENDING)
        delivery.attempts += 1
        delivery.sending_started_at = timezone.now()
        delivery.sending_task_id = task_id
        delivery.save(
            update_fields=["status", "attempts", "sending_started_at", "sending_task_id", "updated_at"]
        )
    return delivery, str(delivery.status)


def _record_sent(delivery_id: int, message_id: str) -> str:
    with transaction.atomic(durable=True):
        delivery = lock_delivery(delivery_id)
        if delivery is None:
            return "missing"
        # UNKNOWN here means another run gave up on this one; the provider's answer wins.
        if delivery.status in (DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN):
            _transition(delivery, DeliveryStatus.SENT)
            delivery.sent_at = timezone.now()
            delivery.provider_message_id = message_id[:200]
            delivery.last_error = ""
            delivery.save(
                update_fields=["status", "sent_at", "provider_message_id", "last_error", "updated_at"]
            )
            _audit_delivery(delivery, "notification.delivery.sent")
        return str(delivery.status)


def _record_failure(delivery_id: int, exc: Exception) -> str:
    with transaction.atomic(durable=True):
        delivery = lock_delivery(delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.SENDING:
            return str(delivery.status) if delivery else "missing"
        delivery.last_error = Truncator(f"{type(exc).__name__}: {exc}").chars(2000)
        max_attempts = int(_setting("NOTIFICATIONS_MAX_ATTEMPTS", 5))
        if delivery.attempts < max_attempts:
            _transition(delivery, DeliveryStatus.PENDING)
            base = int(_setting("NOTIFICATIONS_RETRY_SECONDS", 60))
            delay = dt.timedelta(seconds=base * 2 ** (delivery.attempts - 1))
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            _enqueue_deliveries([delivery.pk], run_after=timezone.now() + delay)
            _audit_delivery(delivery, "notification.delivery.retry")
        else:
            _transition(delivery, DeliveryStatus.FAILED)
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            _audit_delivery(delivery, "notification.delivery.failed")
        return str(delivery.status)


def delivery_retry(*, actor: User | None, delivery: Delivery) -> Delivery:
    """Send a FAILED or UNKNOWN delivery again (an operator's decision: an UNKNOWN one
    may already have arrived once)."""
    with transaction.atomic(durable=True):
        locked = lock_delivery(delivery.pk)
        if locked is None:
            raise InvalidTransition()
        _transition(locked, DeliveryStatus.PENDING)
        locked.last_error = ""
        locked.save(update_fields=["status", "last_error", "updated_at"])
        _enqueue_deliveries([locked.pk])
        audit_record(
            actor=actor,
            action="notification.delivery.retry_requested",
            obj=locked,
            before={"status": delivery.status},
            after={"status": locked.status},
        )
    return locked


def _task_pending_or_running(task_id: str) -> bool:
    """A job still queued (requeued by the reaper) or running will settle its own send."""
    from django_tasks_db.models import DBTaskResult

    try:
        return DBTaskResult.objects.filter(
            pk=task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).exists()
    except ValidationError:
        return False


def _transition(delivery: Delivery, to: str) -> None:
    if to not in Delivery.TRANSITIONS[delivery.status]:
        raise InvalidTransition()
    delivery.status = to


def _audit_delivery(delivery: Delivery, action: str) -> None:
    audit_record(
        actor=None,
        action=action,
        obj=delivery,
        after={
            "event_key": delivery.event_key,
            "recipient": delivery.recipient_id,
            "channel": delivery.channel,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "provider_message_id": delivery.provider_message_id,
        },
    )


def _absolute(url: str) -> str:
    base = str(_setting("SITE_URL", "")).rstrip("/")
    if not url or "://" in url or not base:
        return url
    return base + url


def _send(delivery: Delivery, *, email_connection: Any = None) -> str:
    """Hand the message to the configured backend; returns the provider's message id."""
    link = _absolute(delivery.url)
    if delivery.channel == Channel.EMAIL:
        text = delivery.body + ("\n\n" + link if link else "")
        message_id = make_msgid(domain=str(_setting("NOTIFICATIONS_EMAIL_DOMAIN", "qinqing.localhost")))
        email = EmailMessage(
            subject=delivery.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers={"Message-ID": message_id},
            connection=email_connection,
        )
        if email.send() != 1:
            raise RuntimeError("the e-mail backend accepted no message")
        return message_id
    text = delivery.subject
    if delivery.body:
        text += "\n" + delivery.body
    if link:
        text += "\n" + link
    return get_sms_backend().send(delivery.address, text)


# --- Daily digest ------------------------------------------------------------------------


def digest_send_daily(*, day_key: str, now: dt.datetime | None = None) -> int:
    """Send each recipient one summary of everything held back for the digest.

    At most one digest per (recipient, day) thanks to Digest's UNIQUE constraint and the
    digest's event key; items arriving later wait for the next day. Returns how many
    digests were made.
    """
    day = dt.date.fromisoformat(day_key)
    cutoff = now or timezone.now()
    recipient_ids = sorted(
        set(
            DigestItem.objects.filter(digest__isnull=True, created_at__lte=cutoff).values_list(
                "recipient_id", flat=True
            )
        )
    )
    made = 0
    for recipient_id in recipient_ids:
        if _digest_one(recipient_id=recipient_id, day=day, cutoff=cutoff):
            made += 1
    return made


def _digest_one(*, recipient_id: int, day: dt.date, cutoff: dt.datetime) -> bool:
    try:
        with transaction.atomic(durable=True):
            recipient = User.objects.filter(pk=recipient_id).first()
            if recipient is None:
                return False
            if Digest.objects.filter(recipient_id=recipient_id, day=day).exists():
                return False
            items = list(
                DigestItem.objects.select_for_update()
                .filter(recipient_id=recipient_id, digest__isnull=True, created_at__lte=cutoff)
                .order_by("created_at", "id")
            )
            if not items:
                return False
            digest = Digest.objects.create(recipient_id=recipient_id, day=day, item_count=len(items))
            DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(digest=digest)
            # Lazy, so the inbox shows it in the reader's language of the day; the
            # lines are the items' subjects, kept as they were written.
            subject = message(
                ngettext_lazy(
                    "Daily summary for %(day)s: %(count)d item",
                    "Daily summary for %(day)s: %(count)d items",
                    len(items),
                ),
                day=day.isoformat(),
                count=len(items),
            )
            with translation.override(_language(recipient)):
                lines = []
                for item in items:
                    line = "• " + item.subject
                    if item.url:
                        line += " " + _absolute(item.url)
                    lines.append(line)
                body = "\n".join(lines)
            notify(
                recipients=[recipient],
                event_key=digest_event_key(day.isoformat()),
                kind="notifications.digest",
                subject=subject,
                body=body,
                channels=(Channel.INBOX, Channel.EMAIL),
            )
            audit_record(
                actor=None,
                action="notification.digest",
                obj=digest,
                after={"recipient": recipient_id, "day": day.isoformat(), "items": len(items)},
            )
    except IntegrityError:
        # Another digest run made this one first.
        return False
    return True


# --- The inbox ----------------------------------------------------------------------------


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (again is harmless)."""
    if notification.recipient_id != actor.pk:
        # access_notification_by_public_id() never hands out another's notification;
        # the service, called directly, must not change one either.
        raise NotFound()
    with transaction.atomic(durable=True):
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=actor,
                action="notification.read",
                obj=notification,
                after={"event_key": notification.event_key},
            )
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: User) -> int:
    """Mark all of the actor's unread notifications read; returns how many."""
    with transaction.atomic(durable=True):
        updated = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=actor,
                action="notification.read_all",
                object_type="accounts.user",
                object_id=actor.pk,
                after={"count": updated},
            )
    return updated

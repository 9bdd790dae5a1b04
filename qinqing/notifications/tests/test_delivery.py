"""Sending deliveries: at most once, failures retried with backoff, a crash mid-send
recorded as UNKNOWN and never silently resent."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qinqing.accounts.tests.factories import UserFactory
from qinqing.audit.models import AuditEvent
from qinqing.notifications import services
from qinqing.notifications.models import Delivery, DeliveryStatus, OutboxMessage
from qinqing.notifications.services import delivery_retry, delivery_send, notify
from qinqing.notifications.sms import LoggingSmsBackend, OutboxSmsBackend, SmsBackend, get_sms_backend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox_email(settings):
    # The test runner swaps in Django's locmem backend; these tests use the product's default.
    settings.EMAIL_BACKEND = "qinqing.notifications.email.OutboxEmailBackend"


def _delivery(channel: str = "email", **user_kwargs) -> Delivery:
    user = UserFactory(email="a@example.test", phone="13900000000", **user_kwargs)
    key = "evt:" + uuid.uuid4().hex
    notify(
        recipients=[user],
        event_key=key,
        kind="k",
        subject="Subject",
        body="Body",
        url="/x/",
        channels=(channel,),
    )
    return Delivery.objects.get(event_key=key)


def test_email_goes_to_the_outbox_once():
    d = _delivery("email")

    assert delivery_send(delivery_id=d.pk, task_id="t1") == DeliveryStatus.SENT
    assert delivery_send(delivery_id=d.pk, task_id="t2") == DeliveryStatus.SENT

    d.refresh_from_db()
    outbox = list(OutboxMessage.objects.filter(channel="email"))
    assert len(outbox) == 1
    assert outbox[0].to == "a@example.test"
    assert outbox[0].subject == "Subject"
    assert "Body" in outbox[0].body and "/x/" in outbox[0].body
    assert d.attempts == 1
    assert d.sent_at is not None
    assert d.provider_message_id == outbox[0].provider_message_id
    assert AuditEvent.objects.filter(action="notification.delivery.sent", object_id=str(d.pk)).count() == 1


def test_sms_goes_through_the_configured_backend_once():
    d = _delivery("sms")

    assert delivery_send(delivery_id=d.pk) == DeliveryStatus.SENT
    delivery_send(delivery_id=d.pk)

    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.to == "13900000000"
    assert sms.body.startswith("Subject\nBody")
    d.refresh_from_db()
    assert d.provider_message_id == sms.provider_message_id


def test_email_backend_is_swappable(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    d = _delivery("email")

    delivery_send(delivery_id=d.pk)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.test"]
    assert not OutboxMessage.objects.exists()


def test_sms_backend_is_swappable(settings, caplog):
    settings.SMS_BACKEND = "qinqing.notifications.sms.LoggingSmsBackend"
    d = _delivery("sms")

    with caplog.at_level("INFO", logger="qinqing.notifications.sms"):
        delivery_send(delivery_id=d.pk)

    assert "13900000000" in caplog.text
    assert not OutboxMessage.objects.exists()
    d.refresh_from_db()
    assert d.provider_message_id.startswith("log-")


def test_sms_backend_must_implement_the_interface(settings):
    settings.SMS_BACKEND = "qinqing.notifications.models.Notification"
    with pytest.raises(TypeError):
        get_sms_backend()
    assert isinstance(OutboxSmsBackend(), SmsBackend)
    assert isinstance(LoggingSmsBackend(), SmsBackend)
    with pytest.raises(NotImplementedError):
        SmsBackend().send("1", "x")


class Boom(SmsBackend):
    calls = 0

    def send(self, to: str, text: str) -> str:
        Boom.calls += 1
        raise ConnectionError("gateway down")


def test_a_failed_send_is_retried_later_then_given_up(settings):
    settings.SMS_BACKEND = f"{__name__}.Boom"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    settings.NOTIFICATIONS_RETRY_SECONDS = 60
    Boom.calls = 0
    d = _delivery("sms")
    jobs_before = DBTaskResult.objects.count()

    assert delivery_send(delivery_id=d.pk) == DeliveryStatus.PENDING

    d.refresh_from_db()
    assert d.attempts == 1
    assert "gateway down" in d.last_error
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == jobs_before + 1
    assert retry.args_kwargs["kwargs"] == {"delivery_ids": [d.pk]}
    assert retry.run_after > timezone.now() + dt.timedelta(seconds=50)

    assert delivery_send(delivery_id=d.pk) == DeliveryStatus.FAILED
    assert Boom.calls == 2
    # Failed for good: no more attempts, no more jobs.
    assert delivery_send(delivery_id=d.pk) == DeliveryStatus.FAILED
    assert Boom.calls == 2
    assert AuditEvent.objects.filter(action="notification.delivery.failed", object_id=str(d.pk)).exists()


def test_a_crash_mid_send_is_recorded_unknown_and_not_resent():
    d = _delivery("email")
    # What a worker leaves behind when it dies between claiming and recording.
    Delivery.objects.filter(pk=d.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, sending_task_id="task-a", sending_started_at=timezone.now()
    )

    # The same task, requeued by the reaper, runs again.
    assert delivery_send(delivery_id=d.pk, task_id="task-a") == DeliveryStatus.UNKNOWN

    assert not OutboxMessage.objects.exists()
    d.refresh_from_db()
    assert d.attempts == 1
    assert AuditEvent.objects.filter(action="notification.delivery.unknown", object_id=str(d.pk)).exists()
    # And it stays that way.
    assert delivery_send(delivery_id=d.pk, task_id="task-b") == DeliveryStatus.UNKNOWN
    assert not OutboxMessage.objects.exists()


def _task_row(status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="qinqing.notifications.tasks.deliver",
        queue_name="notifications",
        backend_name="default",
        run_after=timezone.now(),
        status=status,
    )


def test_a_send_held_by_another_running_task_is_left_alone():
    d = _delivery("email")
    other = _task_row(TaskResultStatus.RUNNING)
    Delivery.objects.filter(pk=d.pk).update(status=DeliveryStatus.SENDING, sending_task_id=str(other.pk))

    assert delivery_send(delivery_id=d.pk, task_id="task-b") == DeliveryStatus.SENDING

    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENDING
    assert not OutboxMessage.objects.exists()


def test_a_send_held_by_a_finished_task_is_unknown():
    d = _delivery("email")
    other = _task_row(TaskResultStatus.FAILED)
    Delivery.objects.filter(pk=d.pk).update(status=DeliveryStatus.SENDING, sending_task_id=str(other.pk))

    assert delivery_send(delivery_id=d.pk, task_id="task-b") == DeliveryStatus.UNKNOWN
    assert not OutboxMessage.objects.exists()


def test_the_provider_answer_wins_over_an_unknown_verdict(monkeypatch):
    d = _delivery("email")
    real_send = services._send

    def slow_send(delivery, **kwargs):
        # Meanwhile another run gave up on this send.
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.UNKNOWN)
        return real_send(delivery, **kwargs)

    monkeypatch.setattr(services, "_send", slow_send)

    assert delivery_send(delivery_id=d.pk, task_id="t") == DeliveryStatus.SENT


def test_operator_retry_of_an_unknown_delivery_sends_it(city):
    d = _delivery("email")
    Delivery.objects.filter(pk=d.pk).update(status=DeliveryStatus.UNKNOWN)
    d.refresh_from_db()

    delivery_retry(actor=city.admin, delivery=d)
    assert delivery_send(delivery_id=d.pk) == DeliveryStatus.SENT

    assert OutboxMessage.objects.count() == 1
    assert AuditEvent.objects.filter(
        action="notification.delivery.retry_requested", actor_id=city.admin.pk
    ).exists()


def test_a_sent_delivery_cannot_be_retried(city):
    from qinqing.common.errors import InvalidTransition

    d = _delivery("email")
    delivery_send(delivery_id=d.pk)
    d.refresh_from_db()

    with pytest.raises(InvalidTransition):
        delivery_retry(actor=city.admin, delivery=d)


def test_a_missing_delivery_is_reported_not_raised():
    assert delivery_send(delivery_id=987654) == "missing"


def test_absolute_links_use_site_url(settings):
    settings.SITE_URL = "https://qinqing.example.cn/"
    d = _delivery("email")

    delivery_send(delivery_id=d.pk)

    assert "https://qinqing.example.cn/x/" in OutboxMessage.objects.get().body


class CountingBackend(locmem.EmailBackend):
    instances = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingBackend.instances += 1


def test_the_delivery_job_uses_one_email_connection_for_its_batch(settings):
    from types import SimpleNamespace

    from qinqing.notifications.tasks import deliver

    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.instances = 0
    users = UserFactory.create_batch(3)
    notify(recipients=users, event_key="batch:1", kind="k", subject="s", body="", channels=("email",))
    ids = list(Delivery.objects.values_list("pk", flat=True))

    outcomes = deliver.func(SimpleNamespace(task_result=SimpleNamespace(id="job-1")), delivery_ids=ids)

    assert outcomes == {"sent": 3}
    assert len(mail.outbox) == 3
    assert CountingBackend.instances == 1
    assert set(Delivery.objects.values_list("sending_task_id", flat=True)) == {"job-1"}

"""notify() / notify_many(): idempotent inbox rows, deliveries and digest items, written
in the caller's transaction with one delivery job per call."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from qinqing.accounts.tests.factories import UserFactory
from qinqing.audit.models import AuditEvent
from qinqing.notifications.models import Delivery, DeliveryStatus, DigestItem, Notification
from qinqing.notifications.services import NotificationSpec, notify, notify_many

pytestmark = pytest.mark.django_db


def _deliver_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="qinqing.notifications.tasks.deliver"))


def test_inbox_notification_is_written_once_per_event_and_recipient():
    alice, bob = UserFactory(), UserFactory()

    first = notify(recipients=[alice, bob], event_key="case:1:due", kind="case.due", subject="Due", body="b")
    again = notify(recipients=[alice, bob], event_key="case:1:due", kind="case.due", subject="Due", body="b")

    assert first == 2
    assert again == 0
    assert Notification.objects.filter(event_key="case:1:due").count() == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {alice.pk, bob.pk}


def test_a_new_recipient_for_a_known_event_is_added_alone():
    alice, bob = UserFactory(), UserFactory()
    notify(recipients=[alice], event_key="e:1", kind="k", subject="s", body="")

    assert notify(recipients=[alice, bob], event_key="e:1", kind="k", subject="s", body="") == 1
    assert Notification.objects.filter(event_key="e:1").count() == 2


def test_duplicate_and_inactive_recipients_are_ignored():
    alice = UserFactory()
    gone = UserFactory(is_active=False)

    assert notify(recipients=[alice, alice, gone], event_key="e:2", kind="k", subject="s", body="") == 1
    assert not Notification.objects.filter(recipient=gone).exists()


def test_email_and_sms_make_one_delivery_each_and_one_job_in_the_same_transaction():
    alice = UserFactory(email="alice@example.test", phone="13800000001")

    notify(
        recipients=[alice],
        event_key="e:3",
        kind="k",
        subject="Hello",
        body="text",
        url="/cases/3/",
        channels=("inbox", "email", "sms"),
    )
    notify(
        recipients=[alice], event_key="e:3", kind="k", subject="Hello", body="text", channels=("email", "sms")
    )

    deliveries = Delivery.objects.filter(event_key="e:3").order_by("channel")
    assert [(d.channel, d.address, d.status) for d in deliveries] == [
        ("email", "alice@example.test", DeliveryStatus.PENDING),
        ("sms", "13800000001", DeliveryStatus.PENDING),
    ]
    jobs = _deliver_jobs()
    assert len(jobs) == 1
    assert jobs[0].queue_name == "notifications"
    assert sorted(jobs[0].args_kwargs["kwargs"]["delivery_ids"]) == sorted(d.pk for d in deliveries)


def test_missing_address_is_recorded_as_skipped_and_not_enqueued():
    nobody = UserFactory(email="", phone="")

    assert (
        notify(recipients=[nobody], event_key="e:4", kind="k", subject="s", body="", channels=("sms",)) == 1
    )

    delivery = Delivery.objects.get(event_key="e:4")
    assert delivery.status == DeliveryStatus.SKIPPED
    assert _deliver_jobs() == []


def test_rolled_back_change_leaves_no_notification_and_no_job():
    alice = UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(
            recipients=[alice], event_key="e:5", kind="k", subject="s", body="", channels=("inbox", "email")
        )
        raise RuntimeError("the caller's change failed")

    assert not Notification.objects.filter(event_key="e:5").exists()
    assert not Delivery.objects.filter(event_key="e:5").exists()
    assert _deliver_jobs() == []


def test_digest_holds_the_message_back():
    alice = UserFactory()

    new = notify(
        recipients=[alice],
        event_key="e:6",
        kind="k",
        subject="later",
        body="",
        digest=True,
        channels=("inbox", "email"),
    )

    assert new == 1
    assert DigestItem.objects.filter(recipient=alice, event_key="e:6", digest__isnull=True).count() == 1
    assert not Notification.objects.filter(event_key="e:6").exists()
    assert not Delivery.objects.filter(event_key="e:6").exists()
    assert notify(recipients=[alice], event_key="e:6", kind="k", subject="later", body="", digest=True) == 0


def test_urgent_goes_out_at_once_even_when_digest_is_asked():
    alice = UserFactory()

    notify(
        recipients=[alice],
        event_key="e:7",
        kind="k",
        subject="now",
        body="",
        urgent=True,
        digest=True,
        channels=("inbox", "email"),
    )

    n = Notification.objects.get(event_key="e:7")
    assert n.urgent is True
    assert Delivery.objects.get(event_key="e:7").urgent is True
    assert not DigestItem.objects.filter(event_key="e:7").exists()


def test_lazy_text_is_rendered_in_each_recipients_language():
    zh = UserFactory(language="zh-hans")
    en = UserFactory(language="en")

    notify(recipients=[zh, en], event_key="e:8", kind="k", subject=gettext_lazy("Yes"), body="")

    # "Yes" comes from Django's own catalogue.
    assert Notification.objects.get(recipient=en).subject == "Yes"
    assert Notification.objects.get(recipient=zh).subject == "是"


def test_notify_writes_one_audit_event_per_call():
    alice, bob = UserFactory(), UserFactory()
    before = AuditEvent.objects.count()

    notify(recipients=[alice, bob], event_key="e:9", kind="k", subject="s", body="")
    notify(recipients=[alice, bob], event_key="e:9", kind="k", subject="s", body="")

    events = list(AuditEvent.objects.filter(action="notification.notify"))
    assert AuditEvent.objects.count() == before + 1
    assert events[0].object_id == "e:9"
    assert events[0].after["recipients_new"] == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event_key": ""}, "event_key"),
        ({"event_key": "x" * 201}, "event_key"),
        ({"channels": ("pigeon",)}, "unknown notification channels"),
        ({"channels": ()}, "at least one channel"),
        ({"kind": ""}, "kind"),
    ],
)
def test_programming_errors_are_refused(kwargs, message):
    args = {
        "recipients": [UserFactory()],
        "event_key": "e:10",
        "kind": "k",
        "subject": "s",
        "body": "",
    } | kwargs
    with pytest.raises(ValueError, match=message):
        notify(**args)


def test_long_subject_is_truncated_not_refused():
    alice = UserFactory()
    notify(recipients=[alice], event_key="e:11", kind="k", subject="长" * 300, body="")
    assert len(Notification.objects.get(event_key="e:11").subject) == 200


def test_notify_many_bulk_inserts_and_enqueues_one_job_for_the_batch(django_assert_max_num_queries):
    users = UserFactory.create_batch(5)
    specs = [
        NotificationSpec(
            recipients=users,
            event_key=f"deadline:{i}",
            kind="deadline.warning",
            subject=f"Item {i}",
            channels=("inbox", "email"),
        )
        for i in range(40)
    ]

    # A fixed number of statements, not one per notification (200 of them here).
    with django_assert_max_num_queries(30):
        new = notify_many(specs)

    assert new == 200
    assert Notification.objects.count() == 200
    assert Delivery.objects.count() == 200
    jobs = _deliver_jobs()
    assert len(jobs) == 1
    assert len(jobs[0].args_kwargs["kwargs"]["delivery_ids"]) == 200
    # Run again: nothing new, no second job.
    assert notify_many(specs) == 0
    assert len(_deliver_jobs()) == 1


def test_notify_many_of_nothing_does_nothing():
    assert notify_many([]) == 0
    assert _deliver_jobs() == []

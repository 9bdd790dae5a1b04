"""The daily digest: one inbox message and one e-mail per recipient per day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.accounts.tests.factories import UserFactory
from qinqing.notifications.models import Delivery, Digest, DigestItem, Notification, digest_event_key
from qinqing.notifications.services import digest_send_daily, notify
from qinqing.notifications.tasks import send_daily_digests
from qinqing.scheduling.registry import periodic_jobs

pytestmark = pytest.mark.django_db


def _held(user, key, subject, url=""):
    notify(recipients=[user], event_key=key, kind="k", subject=subject, body="", url=url, digest=True)


def test_one_digest_per_recipient_lists_everything_held_back():
    alice, bob = UserFactory(email="alice@example.test", language="en"), UserFactory(language="en")
    _held(alice, "a:1", "First thing", "/one/")
    _held(alice, "a:2", "Second thing")
    _held(bob, "b:1", "Bob's thing")

    assert digest_send_daily(day_key="2025-03-04") == 2

    note = Notification.objects.get(recipient=alice, event_key=digest_event_key("2025-03-04"))
    assert note.subject == "Daily summary for 2025-03-04: 2 items"
    assert "First thing /one/" in note.body and "Second thing" in note.body
    assert "Bob's thing" not in note.body
    email = Delivery.objects.get(recipient=alice, event_key=note.event_key)
    assert email.channel == "email"
    assert Digest.objects.get(recipient=alice, day=dt.date(2025, 3, 4)).item_count == 2
    assert not DigestItem.objects.filter(digest__isnull=True).exists()


def test_the_digest_is_sent_at_most_once_per_recipient_and_day():
    alice = UserFactory()
    _held(alice, "a:1", "First")
    digest_send_daily(day_key="2025-03-04")
    _held(alice, "a:2", "Arrived later")

    assert digest_send_daily(day_key="2025-03-04") == 0
    assert Notification.objects.filter(recipient=alice).count() == 1
    # The late item waits for the next day's digest.
    assert digest_send_daily(day_key="2025-03-05") == 1
    assert "Arrived later" in Notification.objects.get(event_key=digest_event_key("2025-03-05")).body


def test_no_digest_without_items():
    UserFactory()
    assert digest_send_daily(day_key="2025-03-04") == 0
    assert not Digest.objects.exists()


def test_items_after_the_cutoff_wait():
    alice = UserFactory()
    _held(alice, "a:1", "x")

    assert digest_send_daily(day_key="2025-03-04", now=timezone.now() - dt.timedelta(hours=1)) == 0
    assert DigestItem.objects.filter(digest__isnull=True).count() == 1


def test_digest_subject_is_in_the_recipients_language():
    wang = UserFactory(language="zh-hans")
    _held(wang, "w:1", "事项")

    send_daily_digests.call(period_key="2025-03-04")

    subject = Notification.objects.get(recipient=wang).subject
    assert "2025-03-04" in subject
    assert "Daily summary" not in subject


def test_digest_job_is_registered_daily_in_the_morning():
    job = next(j for j in periodic_jobs() if j.name == "notifications.daily_digest")
    assert job.period == "day"
    assert job.at == dt.time(8, 0)
    assert job.queue == "notifications"

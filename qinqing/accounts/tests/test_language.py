"""The language switcher keeps a signed-in user's choice: what they are told in later."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from qinqing.accounts.models import User
from qinqing.audit.models import AuditEvent
from qinqing.notifications.models import Notification
from qinqing.notifications.services import notify
from qinqing.notifications.text import message

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_switching_stores_the_signed_in_users_language(client):
    user = UserFactory(username="wang")
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).language == "en"
    assert AuditEvent.objects.filter(action="user.language", object_id=str(user.pk)).count() == 1
    # and what the user is told from now on is in English
    notify(
        recipients=[User.objects.get(pk=user.pk)],
        event_key="e:1",
        kind="k",
        subject=message(gettext_lazy("%(answer)s"), answer=gettext_lazy("Yes")),
        body="",
    )
    assert Notification.objects.get(event_key="e:1").subject == "Yes"


def test_switching_to_the_same_language_writes_nothing(client):
    user = UserFactory(username="wang", language="en")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert not AuditEvent.objects.filter(action="user.language").exists()


def test_an_unknown_language_changes_nothing(client):
    user = UserFactory(username="wang")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    assert User.objects.get(pk=user.pk).language == "zh-hans"


def test_anonymous_visitors_still_switch_by_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_the_switch_needs_post(client):
    assert client.get(reverse("set_language")).status_code == 405

"""The language switcher keeps a signed-in user's choice: what they are told in later;
logging in brings that choice back (or, the first time, keeps the language being read)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from qinqing.accounts.models import User
from qinqing.accounts.services import user_language_at_login
from qinqing.audit.models import AuditEvent
from qinqing.notifications.models import Notification
from qinqing.notifications.services import notify
from qinqing.notifications.text import message

from .factories import DEFAULT_PASSWORD, UserFactory

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
    user = UserFactory(username="wang", language="zh-hans")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    assert User.objects.get(pk=user.pk).language == "zh-hans"


def test_anonymous_visitors_still_switch_by_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_the_switch_needs_post(client):
    assert client.get(reverse("set_language")).status_code == 405


# --- logging in --------------------------------------------------------------------------


def _login(client, username, **headers):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": DEFAULT_PASSWORD}, **headers
    )


def test_logging_in_switches_to_the_users_own_language(client, settings):
    # Given someone who chose English, on a device that reads Chinese
    UserFactory(username="wang", language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    # When they log in
    response = _login(client, "wang")

    # Then the platform speaks English to them, on this device from now on
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in client.get(reverse("home")).content.decode()
    assert User.objects.get(username="wang").language == "en"


def test_logging_in_switches_back_to_chinese_for_one_who_chose_it(client, settings):
    UserFactory(username="wang", language="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _login(client, "wang")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert not AuditEvent.objects.filter(action="user.language").exists()


def test_a_first_login_keeps_the_language_being_read(client, settings):
    # Given someone who never chose a language, reading in English
    user = UserFactory(username="wang")
    assert user.language == ""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _login(client, "wang")

    # Then English becomes theirs: what they are told in from now on
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=user.pk).language == "en"
    event = AuditEvent.objects.get(action="user.language", object_id=str(user.pk))
    assert event.after == {"language": "en", "at_login": True}


def test_a_first_login_without_a_choice_keeps_the_default(client, settings):
    user = UserFactory(username="wang")

    response = _login(client, "wang")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert User.objects.get(pk=user.pk).language == "zh-hans"


def test_a_first_login_follows_the_browsers_language(client, settings):
    user = UserFactory(username="wang")

    _login(client, "wang", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert User.objects.get(pk=user.pk).language == "en"


def test_a_failed_login_changes_no_language(client, settings):
    user = UserFactory(username="wang")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("accounts:login"), {"username": "wang", "password": "wrong"})

    assert response.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=user.pk).language == ""


def test_a_language_chosen_meanwhile_is_not_overwritten_at_login():
    user = UserFactory(username="wang")
    User.objects.filter(pk=user.pk).update(language="en")  # another session's switch

    assert user_language_at_login(actor=user, current="zh-hans") == "en"
    assert User.objects.get(pk=user.pk).language == "en"
    assert user.language == "en"


def test_the_data_migration_clears_only_the_languages_nobody_chose(client):
    from importlib import import_module

    from django.apps import apps

    # Given one who chose Chinese on the switcher, one who chose English, and one who
    # only ever had the old default stored
    chose_zh = UserFactory(username="chose-zh", language="en")
    client.force_login(chose_zh)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    chose_en = UserFactory(username="chose-en", language="en")
    never = UserFactory(username="never", language="zh-hans")

    import_module("qinqing.accounts.migrations.0005_user_language_unchosen_fill").clear_unchosen(apps, None)

    # Then only the default nobody chose is cleared: that user's next login keeps the
    # language they read in
    languages = dict(User.objects.values_list("username", "language"))
    assert languages[chose_zh.username] == "zh-hans"
    assert languages[chose_en.username] == "en"
    assert languages[never.username] == ""

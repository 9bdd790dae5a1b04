"""The Django admin's login signs a person in in their own language, as the platform's
login page does: it applies their stored language (and sets this device's language
cookie), and a first login stores the language they were reading in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qinqing.accounts.models import User
from qinqing.audit.models import AuditEvent

from .factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/django-admin/login/"


def _admin_login(client, username, password=DEFAULT_PASSWORD, next="/django-admin/", **headers):  # noqa: A002
    # The admin's form sends where to go next (the admin's index unless asked otherwise).
    data = {"username": username, "password": password, "next": next}
    return client.post(ADMIN_LOGIN, data, **headers)


def test_the_admin_site_keeps_every_apps_models(client):
    # The admin runs on its own site class (accounts.admin_site): the apps' registrations
    # are still there, on the same addresses.
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    index = client.get(reverse("admin:index"))

    assert reverse("admin:login") == ADMIN_LOGIN
    assert index.status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:payments_paymentinstruction_changelist")).status_code == 200


def test_the_admin_login_switches_to_the_users_own_language(client, settings):
    # Given a staff member who chose English, on a device that reads Chinese
    UserFactory(username="wang", language="en", is_staff=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    # When they log in to the admin
    response = _admin_login(client, "wang")

    # Then the admin, and the platform, speak English to them on this device from now on
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in client.get(reverse("admin:index")).content.decode()
    assert '<html lang="en"' in client.get(reverse("home")).content.decode()
    # and nothing is stored: the choice was theirs already
    assert User.objects.get(username="wang").language == "en"
    assert not AuditEvent.objects.filter(action="user.language").exists()


def test_the_admin_login_switches_back_to_chinese_for_one_who_chose_it(client, settings):
    UserFactory(username="wang", language="zh-hans", is_staff=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _admin_login(client, "wang", next="/django-admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/django-admin/accounts/user/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert '<html lang="zh-hans"' in client.get(reverse("admin:index")).content.decode().lower()


def test_a_first_admin_login_stores_the_language_being_read(client, settings):
    # Given a staff member who never chose a language, reading in English
    user = UserFactory(username="wang", is_staff=True)
    assert user.language == ""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _admin_login(client, "wang")

    # Then English becomes theirs, with its audit event, as at the platform's login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=user.pk).language == "en"
    event = AuditEvent.objects.get(action="user.language", object_id=str(user.pk))
    assert event.after == {"language": "en", "at_login": True}


def test_a_first_admin_login_follows_the_browsers_language(client, settings):
    user = UserFactory(username="wang", is_staff=True)

    response = _admin_login(client, "wang", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=user.pk).language == "en"


def test_a_refused_admin_login_changes_no_language(client, settings):
    # A wrong password, and a right one of someone who is not staff: the form again.
    staff = UserFactory(username="wang", is_staff=True)
    other = UserFactory(username="li")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    for username, password in (("wang", "wrong"), ("li", DEFAULT_PASSWORD)):
        response = _admin_login(client, username, password)
        assert response.status_code == 200, username
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies, username

    assert User.objects.get(pk=staff.pk).language == ""
    assert User.objects.get(pk=other.pk).language == ""
    assert not AuditEvent.objects.filter(action="user.language").exists()


def test_a_signed_in_person_refused_by_the_admin_login_keeps_their_language(client, settings):
    # Signed in on the platform (not staff), then a wrong password on the admin's form:
    # they are still signed in, but nobody signed in here, so nothing changes.
    user = UserFactory(username="li", language="zh-hans")
    client.force_login(user)
    UserFactory(username="wang", language="en", is_staff=True)

    response = _admin_login(client, "wang", "wrong")

    assert response.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(username="wang").language == "en"
    assert not AuditEvent.objects.filter(action="user.language").exists()


def test_the_admin_login_page_still_shows_and_sends_staff_on(client):
    staff = UserFactory(username="wang", language="en", is_staff=True)

    page = client.get(ADMIN_LOGIN)
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    assert "no-cache" in page["Cache-Control"]

    client.force_login(staff)
    assert client.get(ADMIN_LOGIN)["Location"] == reverse("admin:index")

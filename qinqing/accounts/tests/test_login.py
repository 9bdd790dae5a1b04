"""Login, lockout per account and per address, session expiry, password rules, CSRF."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from qinqing.accounts.models import LoginFailure
from qinqing.accounts.services import user_create
from qinqing.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from qinqing.common.errors import ValidationFailed


def _login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_login_with_right_password_reaches_home(client):
    UserFactory(username="wang")
    response = _login(client, "wang", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_is_refused_in_chinese_by_default(client):
    UserFactory(username="wang")
    response = _login(client, "wang", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


@pytest.mark.django_db
def test_account_locks_after_repeated_failures_even_with_the_right_password(client, settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    UserFactory(username="wang")
    for n in range(3):
        _login(client, "wang", "wrong", address=f"10.0.0.{n + 1}")
    response = _login(client, "wang", DEFAULT_PASSWORD, address="10.0.0.9")
    assert response.status_code == 200
    assert "尝试次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_address_locks_after_failures_across_accounts(client, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    UserFactory(username="li")
    for n in range(4):
        _login(client, f"guess{n}", "wrong", address="10.9.9.9")
    locked = _login(client, "li", DEFAULT_PASSWORD, address="10.9.9.9")
    assert "_auth_user_id" not in client.session
    assert locked.status_code == 200
    # Another address is not affected.
    assert _login(client, "li", DEFAULT_PASSWORD, address="10.9.9.10").status_code == 302


@pytest.mark.django_db
def test_lockout_expires_after_the_window(client, settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 2
    UserFactory(username="zhao")
    for _ in range(2):
        _login(client, "zhao", "wrong")
    assert _login(client, "zhao", DEFAULT_PASSWORD).status_code == 200
    LoginFailure.objects.update(at=LoginFailure.objects.first().at.replace(year=2020))
    assert _login(client, "zhao", DEFAULT_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_success_clears_the_account_failures(client):
    UserFactory(username="sun")
    _login(client, "sun", "wrong")
    _login(client, "sun", DEFAULT_PASSWORD)
    assert not LoginFailure.objects.filter(username="sun").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "1234567890123", "password123", "zhangsan-2026"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationFailed) as exc:
        user_create(actor=None, username="zhangsan", password=password)
    assert "password" in exc.value.fields


@pytest.mark.django_db
def test_strong_password_is_accepted():
    user = user_create(actor=None, username="zhangsan", password="Tea-garden-Anxi-88")
    assert user.check_password("Tea-garden-Anxi-88")


@pytest.mark.django_db
def test_idle_session_expires(client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("notifications:inbox")).status_code == 200
    session = client.session
    session[SESSION_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_absolute_session_lifetime_ends_even_when_active(client, settings):
    settings.SESSION_ABSOLUTE_MINUTES = 60
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("notifications:inbox"))
    session = client.session
    session[SESSION_STARTED] = time.time() - 61 * 60
    session[SESSION_SEEN] = time.time()
    session.save()
    assert client.get(reverse("notifications:inbox")).status_code == 302


@pytest.mark.django_db
def test_login_form_requires_csrf_token():
    UserFactory(username="wang")
    client = Client(enforce_csrf_checks=True)
    response = _login(client, "wang", DEFAULT_PASSWORD)
    assert response.status_code == 403


@pytest.mark.django_db
def test_english_switch(client):
    UserFactory(username="wang")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = _login(client, "wang", "wrong")
    assert "The user name or password is wrong." in response.content.decode()


@pytest.mark.django_db
def test_pages_require_login_and_home_is_the_public_face(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    # Home shows anyone the public pages and the login, and no one's data
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert [t.name for t in home.templates][0] == "accounts/public_home.html"

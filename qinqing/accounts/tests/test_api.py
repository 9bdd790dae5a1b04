"""The API's authentication and its one error format."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.accounts.models import ApiToken
from qinqing.accounts.services import api_token_create, api_token_revoke


@pytest.mark.django_db
def test_me_with_a_bearer_token(client, city):
    _token, key = api_token_create(actor=city.officer, user=city.officer, name="cli")
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "officer"
    assert body["roles"] == [{"role": "officer", "organisation": "drc", "enterprise": None}]


@pytest.mark.django_db
def test_me_without_credentials_is_401_in_the_error_format(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.json()["error"]["message"] == "请登录或提供有效的 API 令牌。"


@pytest.mark.django_db
def test_english_error_messages_with_accept_language(client):
    response = client.get("/api/v1/accounts/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Log in or send a valid API token."


@pytest.mark.django_db
def test_revoked_and_expired_tokens_are_refused(client, city):
    token, key = api_token_create(actor=city.officer, user=city.officer, name="cli")
    api_token_revoke(actor=city.officer, token=token)
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    token2, key2 = api_token_create(actor=city.officer, user=city.officer, name="cli2")
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key2}").status_code == 401


@pytest.mark.django_db
def test_token_secret_is_not_stored(city):
    token, key = api_token_create(actor=city.officer, user=city.officer, name="cli")
    assert key not in {token.key_hash, token.prefix}
    assert token.key_hash == ApiToken.hash_key(key)


@pytest.mark.django_db
def test_session_api_calls_need_csrf_for_writes(city):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(city.officer)
    assert client.get("/api/v1/accounts/me").status_code == 200


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404


@pytest.mark.django_db
def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "Qinqing API"
    assert "/api/v1/accounts/me" in doc["paths"]


@pytest.mark.django_db
def test_a_token_client_naming_no_language_is_answered_in_its_users(client, city):
    import uuid

    from qinqing.accounts.models import User

    _token, key = api_token_create(actor=city.officer, user=city.officer, name="cli")
    url = f"/api/v1/notifications/{uuid.uuid4()}/read"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    chinese = client.post(url, **auth).json()["error"]["message"]

    User.objects.filter(pk=city.officer.pk).update(language="en")
    english = client.post(url, **auth).json()["error"]["message"]
    # A client that names a language gets that one
    named = client.post(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **auth).json()["error"]["message"]

    assert english.isascii() and not chinese.isascii()
    assert named == chinese

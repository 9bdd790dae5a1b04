"""The notifications API: own notifications only; someone else's is a 404."""

from __future__ import annotations

import pytest

from qinqing.notifications.models import Notification
from qinqing.notifications.services import notify

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"


def _note(user, key, subject="Subject"):
    notify(recipients=[user], event_key=key, kind="case.due", subject=subject, body="b", url="/c/1/")
    return Notification.objects.get(recipient=user, event_key=key)


def test_list_requires_authentication(client):
    response = client.get(BASE)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_list_returns_only_own_notifications(client, city):
    _note(city.officer, "e:1", "Mine")
    _note(city.other_officer, "e:2", "Theirs")
    client.force_login(city.officer)

    body = client.get(BASE).json()

    assert body["count"] == 1
    assert body["unread"] == 1
    assert [i["subject"] for i in body["items"]] == ["Mine"]
    assert body["items"][0]["url"] == "/c/1/"
    assert body["items"][0]["read_at"] is None


def test_list_pages_and_filters(client, city):
    for i in range(5):
        _note(city.officer, f"e:{i}", f"N{i}")
    first = Notification.objects.filter(recipient=city.officer).order_by("id").first()
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    client.force_login(city.officer)

    page = client.get(BASE, {"limit": 2, "offset": 0}).json()
    unread = client.get(BASE, {"unread": "true"}).json()

    assert page["count"] == 5 and len(page["items"]) == 2
    assert unread["count"] == 4
    assert client.get(BASE, {"limit": 0}).status_code == 422


def test_unread_count(client, city):
    _note(city.officer, "e:1")
    client.force_login(city.officer)
    assert client.get(BASE + "/unread-count").json() == {"unread": 1}


def test_unread_count_requires_authentication(client):
    assert client.get(BASE + "/unread-count").status_code == 401


def test_mark_own_notification_read(client, city):
    n = _note(city.officer, "e:1")
    client.force_login(city.officer)

    response = client.post(f"{BASE}/{n.public_id}/read")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    n.refresh_from_db()
    assert n.is_read


def test_mark_someone_elses_notification_is_not_found(client, city):
    theirs = _note(city.other_officer, "e:1")
    client.force_login(city.officer)

    response = client.post(f"{BASE}/{theirs.public_id}/read")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_bad_id_is_a_clean_error(client, city):
    client.force_login(city.officer)
    response = client.post(f"{BASE}/not-a-uuid/read")
    assert response.status_code == 422
    assert "error" in response.json()


def test_mark_read_requires_authentication(client, city):
    n = _note(city.officer, "e:1")
    assert client.post(f"{BASE}/{n.public_id}/read").status_code == 401
    n.refresh_from_db()
    assert n.read_at is None


def test_read_all_marks_only_own(client, city):
    _note(city.officer, "e:1")
    _note(city.officer, "e:2")
    theirs = _note(city.other_officer, "e:3")
    client.force_login(city.officer)

    assert client.post(BASE + "/read-all").json() == {"marked": 2}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_requires_authentication(client, city):
    _note(city.officer, "e:1")
    assert client.post(BASE + "/read-all").status_code == 401
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_bearer_token_works(client, city):
    from qinqing.accounts.services import api_token_create

    _note(city.officer, "e:1")
    _token, key = api_token_create(actor=city.officer, user=city.officer, name="cli")

    response = client.get(BASE, headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert response.json()["count"] == 1

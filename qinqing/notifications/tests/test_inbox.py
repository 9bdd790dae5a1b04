"""The inbox page, its htmx fragments and the navbar badge: a user sees and changes only
their own notifications."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from qinqing.audit.models import AuditEvent
from qinqing.notifications.models import Notification
from qinqing.notifications.services import notify

pytestmark = pytest.mark.django_db


def _note(user, key, subject="Subject", url="/somewhere/", urgent=False):
    notify(
        recipients=[user],
        event_key=key,
        kind="k",
        subject=subject,
        body="Line one\nLine two",
        url=url,
        urgent=urgent,
    )
    return Notification.objects.get(recipient=user, event_key=key)


def test_inbox_requires_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_inbox_lists_own_notifications_unread_first(client, city):
    old = _note(city.officer, "e:1", "Old and read")
    _note(city.officer, "e:2", "Newest unread", urgent=True)
    _note(city.other_officer, "e:3", "Someone else's")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    client.force_login(city.officer)

    response = client.get(reverse("notifications:inbox"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else" not in html
    assert html.index("Newest unread") < html.index("Old and read")
    assert 'data-testid="unread-count"' in html
    assert list(response.context["page"].object_list)[0].event_key == "e:2"
    assert response.context["unread_count"] == 1


def test_inbox_unread_filter(client, city):
    read = _note(city.officer, "e:1", "Already read")
    _note(city.officer, "e:2", "Still unread")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client.force_login(city.officer)

    html = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()

    assert "Still unread" in html
    assert "Already read" not in html


def test_inbox_does_not_link_away_from_the_site(client, city):
    _note(city.officer, "e:1", "Phish", url="https://evil.example/")
    client.force_login(city.officer)

    html = client.get(reverse("notifications:inbox")).content.decode()

    assert "evil.example" not in html


def test_inbox_query_count_is_pinned(client, city, django_assert_max_num_queries):
    for i in range(40):
        _note(city.officer, f"e:{i}")
    client.force_login(city.officer)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:inbox"))

    assert len(response.context["page"].object_list) == 30


def test_mark_read_with_htmx_returns_the_item_and_a_refresh_trigger(client, city):
    n = _note(city.officer, "e:1")
    client.force_login(city.officer)

    response = client.post(reverse("notifications:read", args=[n.public_id]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    html = response.content.decode()
    assert f'id="notification-{n.public_id}"' in html
    assert "<html" not in html
    n.refresh_from_db()
    assert n.read_at is not None
    assert AuditEvent.objects.filter(action="notification.read", actor_id=city.officer.pk).count() == 1


def test_mark_read_without_htmx_redirects(client, city):
    n = _note(city.officer, "e:1")
    client.force_login(city.officer)

    response = client.post(reverse("notifications:read", args=[n.public_id]))

    assert response.status_code == 302
    n.refresh_from_db()
    assert n.is_read


def test_marking_again_writes_no_second_audit_event(client, city):
    n = _note(city.officer, "e:1")
    client.force_login(city.officer)
    client.post(reverse("notifications:read", args=[n.public_id]))
    client.post(reverse("notifications:read", args=[n.public_id]))
    assert AuditEvent.objects.filter(action="notification.read").count() == 1


def test_marking_someone_elses_notification_is_not_found(client, city):
    theirs = _note(city.other_officer, "e:1")
    client.force_login(city.officer)

    response = client.post(reverse("notifications:read", args=[theirs.public_id]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_post_and_login(client, city):
    n = _note(city.officer, "e:1")
    url = reverse("notifications:read", args=[n.public_id])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(city.officer)
    assert client.get(url).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_touches_only_own(client, city):
    _note(city.officer, "e:1")
    _note(city.officer, "e:2")
    theirs = _note(city.other_officer, "e:3")
    client.force_login(city.officer)

    response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=city.officer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    event = AuditEvent.objects.get(action="notification.read_all")
    assert event.after == {"count": 2}


def test_mark_all_read_denied_to_anonymous(client, city):
    _note(city.officer, "e:1")
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_badge_shows_own_unread_count(client, city):
    _note(city.officer, "e:1")
    _note(city.officer, "e:2")
    _note(city.other_officer, "e:3")
    client.force_login(city.officer)

    html = client.get(reverse("notifications:badge")).content.decode()

    assert 'id="qq-inbox-badge"' in html
    assert ">2<" in html


def test_badge_denied_to_anonymous(client):
    assert client.get(reverse("notifications:badge")).status_code == 302


def test_template_tags_count_the_requests_user(city):
    _note(city.officer, "e:1")
    request = RequestFactory().get("/")
    request.user = city.officer
    rendered = Template(
        "{% load notifications %}{% unread_notifications_count as n %}[{{ n }}]{% inbox_badge %}"
    ).render(Context({"request": request}))
    assert "[1]" in rendered
    assert "qq-inbox-badge" in rendered

"""A message stops asking for attention once it has done its work: opening its link
reads it, and a later message about the same record settles the earlier ones."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy, gettext_noop

from qinqing.accounts.tests.factories import UserFactory
from qinqing.audit.models import AuditEvent
from qinqing.notifications.models import Notification
from qinqing.notifications.services import NotificationSpec, notify, notify_many
from qinqing.notifications.text import message

pytestmark = pytest.mark.django_db


def _note(user, key, *, url="/ledger/problems/7/", supersedes="", urgent=False):
    notify(
        recipients=[user],
        event_key=key,
        kind="k",
        subject=key,
        body="",
        url=url,
        urgent=urgent,
        supersedes=supersedes,
    )
    return Notification.objects.get(recipient=user, event_key=key)


# --- opening the link ---------------------------------------------------------------------


def test_opening_a_messages_link_reads_it_and_goes_there(client, city):
    note = _note(city.officer, "ledger.problem:7:assigned:1")
    client.force_login(city.officer)

    response = client.get(reverse("notifications:open", args=[note.public_id]))

    assert response.status_code == 302
    assert response["Location"] == "/ledger/problems/7/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert AuditEvent.objects.filter(action="notification.read", object_id=str(note.pk)).count() == 1


def test_the_inbox_links_through_the_reading_link(client, city):
    note = _note(city.officer, "e:1")
    client.force_login(city.officer)

    html = client.get(reverse("notifications:inbox")).content.decode()

    assert f'href="{reverse("notifications:open", args=[note.public_id])}"' in html


def test_a_message_without_a_link_of_this_site_leads_back_to_the_inbox(client, city):
    note = _note(city.officer, "e:2", url="https://evil.example/")
    client.force_login(city.officer)

    response = client.get(reverse("notifications:open", args=[note.public_id]))

    assert response["Location"] == reverse("notifications:inbox")
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_message_cannot_be_opened(client, city):
    note = _note(city.other_officer, "e:3")
    client.force_login(city.officer)

    assert client.get(reverse("notifications:open", args=[note.public_id])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_opening_needs_login(client, city):
    note = _note(city.officer, "e:4")

    response = client.get(reverse("notifications:open", args=[note.public_id]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- a later message settles the earlier ones ----------------------------------------------


def test_a_later_message_about_the_record_settles_the_earlier_call_to_act(city):
    # Given the reporter was asked "is it really fixed?" and the problem was then closed
    reporter = city.officer
    asked = _note(reporter, "ledger.problem:7:verified:4", supersedes="ledger.problem:7:", urgent=True)
    other_problem = _note(reporter, "ledger.problem:70:verified:1", supersedes="ledger.problem:70:")
    someone_else = _note(city.other_officer, "ledger.problem:7:verified:4", supersedes="ledger.problem:7:")

    # When the reporter is told it has ended
    ended = _note(reporter, "ledger.problem:7:ended:5", supersedes="ledger.problem:7:")

    # Then the question no longer waits unread; the new message, another problem's and
    # another person's do
    asked.refresh_from_db()
    other_problem.refresh_from_db()
    someone_else.refresh_from_db()
    assert asked.read_at is not None
    assert ended.read_at is None
    assert other_problem.read_at is None
    assert someone_else.read_at is None


def test_a_repeat_of_the_same_event_settles_nothing():
    user = UserFactory()
    first = _note(user, "case:1:opened:1", supersedes="case:1:")

    _note(user, "case:1:opened:1", supersedes="case:1:")

    first.refresh_from_db()
    assert first.read_at is None


def test_without_supersedes_nothing_is_settled():
    user = UserFactory()
    first = _note(user, "case:1:opened:1")

    _note(user, "case:1:accepted:2")

    first.refresh_from_db()
    assert first.read_at is None


def test_supersedes_must_name_the_events_own_record():
    with pytest.raises(ValueError, match="supersedes"):
        notify_many(
            [
                NotificationSpec(
                    recipients=[UserFactory()],
                    event_key="case:1:opened:1",
                    kind="k",
                    subject="s",
                    supersedes="case:2:",
                )
            ]
        )


# --- texts in the recipient's language ------------------------------------------------------


def test_a_message_with_parameters_is_rendered_in_each_recipients_language():
    zh, en = UserFactory(language="zh-hans"), UserFactory(language="en")

    notify(
        recipients=[zh, en],
        event_key="e:lang",
        kind="k",
        # Both texts are Django's own: the template and, lazily, a parameter.
        subject=message(
            gettext_noop("Ensure this value is less than or equal to %(limit_value)s."), limit_value=9
        ),
        body=message(gettext_lazy("%(answer)s"), answer=gettext_lazy("Yes")),
    )

    english = Notification.objects.get(recipient=en)
    chinese = Notification.objects.get(recipient=zh)
    assert english.subject == "Ensure this value is less than or equal to 9."
    assert english.body == "Yes"
    assert chinese.subject == "确保该值小于或等于9。"
    assert chinese.body == "是"


def test_a_later_event_held_for_the_digest_settles_too():
    user = UserFactory()
    asked = _note(user, "ledger.problem:7:verified:4", supersedes="ledger.problem:7:")

    notify(
        recipients=[user],
        event_key="ledger.problem:7:ended:5",
        kind="k",
        subject="ended",
        body="",
        digest=True,
        supersedes="ledger.problem:7:",
    )

    asked.refresh_from_db()
    assert asked.read_at is not None

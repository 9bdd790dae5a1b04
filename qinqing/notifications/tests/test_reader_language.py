"""The inbox shows each message in the language its reader uses now: a message keeps its
msgids and parameters (`Notification.texts`) and is rendered again when read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy, pgettext_lazy

from qinqing.accounts.models import User
from qinqing.accounts.tests.factories import UserFactory
from qinqing.notifications.models import DigestItem, Notification
from qinqing.notifications.services import digest_send_daily, notify
from qinqing.notifications.text import message, text_form, texts_render
from qinqing.policies.steps import step_label

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"
# A lazy parameter that is no translation itself but a function of the reader's
# language, as the policy services pass a step's name.
lazy_step_label = lazy(step_label, str)


def _tell(user, key, subject, body=""):
    notify(recipients=[user], event_key=key, kind="k", subject=subject, body=body)
    return Notification.objects.get(recipient=user, event_key=key)


def _switch(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


def _step_message():
    return message(
        gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
        limit_value=lazy_step_label({"key": "accept", "name": ""}),
    )


# --- what the inbox shows -------------------------------------------------------------------


def test_a_message_written_in_chinese_reads_in_english_after_the_switch(client):
    # Given a message written while its reader read Chinese
    user = UserFactory(language="zh-hans")
    note = _tell(
        user, "e:1", _step_message(), message(gettext_lazy("%(answer)s"), answer=gettext_lazy("Yes"))
    )
    assert note.subject == "确保该值小于或等于受理。"
    assert note.body == "是"
    client.force_login(user)

    # When they switch to English
    _switch(client, "en")

    # Then the inbox and the API show it in English, the template and each lazy
    # parameter (a translation, a step's name) alike; the stored texts stay as written
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "Ensure this value is less than or equal to Acceptance." in html
    assert "确保该值" not in html
    assert ">Yes</p>" in html
    item = client.get(API).json()["items"][0]
    assert item["subject"] == "Ensure this value is less than or equal to Acceptance."
    assert item["body"] == "Yes"
    note.refresh_from_db()
    assert note.subject == "确保该值小于或等于受理。"
    assert note.body == "是"

    # And back in Chinese, Chinese again
    _switch(client, "zh-hans")
    assert client.get(API).json()["items"][0]["subject"] == "确保该值小于或等于受理。"


def test_a_message_written_in_english_reads_in_chinese_after_the_switch(client):
    user = UserFactory(language="en")
    _tell(user, "e:1", message(gettext_lazy("%(answer)s"), answer=gettext_lazy("No")))
    client.force_login(user)

    _switch(client, "zh-hans")

    assert client.get(API).json()["items"][0]["subject"] == "否"


def test_old_rows_and_plain_texts_show_as_stored(client):
    # Given a row written before texts were kept, and a message given as plain strings
    user = UserFactory(language="zh-hans")
    old = _tell(user, "e:old", message(gettext_lazy("%(answer)s"), answer=gettext_lazy("Yes")))
    Notification.objects.filter(pk=old.pk).update(texts=None)
    plain = _tell(user, "e:plain", "整改已完成", "请核实")
    assert plain.texts is None
    client.force_login(user)

    _switch(client, "en")

    items = {i["id"]: i for i in client.get(API).json()["items"]}
    assert items[str(old.public_id)]["subject"] == "是"
    assert items[str(plain.public_id)]["subject"] == "整改已完成"
    assert items[str(plain.public_id)]["body"] == "请核实"


def test_the_daily_summarys_plural_subject_follows_the_reader(client):
    user = UserFactory(language="zh-hans")
    for key in ("a", "b"):
        DigestItem.objects.create(recipient=user, event_key=key, kind="k", subject=key)
    assert digest_send_daily(day_key="2026-03-02", now=timezone.now() + dt.timedelta(seconds=1)) == 1
    assert Notification.objects.get(recipient=user).subject == "2026-03-02 每日汇总：2 项"
    client.force_login(user)

    _switch(client, "en")

    assert client.get(API).json()["items"][0]["subject"] == "Daily summary for 2026-03-02: 2 items"


def test_the_inbox_reads_lazily_written_messages_without_more_queries(client, django_assert_max_num_queries):
    user = UserFactory(language="zh-hans")
    for i in range(40):
        _tell(user, f"e:{i}", _step_message())
    client.force_login(user)
    _switch(client, "en")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:inbox"))

    assert response.content.decode().count("Ensure this value is less than or equal to Acceptance.") == 30


# --- the stored form ------------------------------------------------------------------------


def _again(text, language, *, written_in="zh-hans", stored="stored"):
    form = {"v": 1, "language": written_in, "subject": text_form(text), "body": None}
    with translation.override(language):
        return texts_render(form, subject=stored, body="")[0]


def test_the_form_is_json_and_keeps_msgids_not_renderings():
    form = text_form(
        message(gettext_lazy("%(answer)s"), answer=gettext_lazy("Yes"), n=3, amount=Decimal("2.50"))
    )

    assert form == {
        "t": "message",
        "template": {"t": "gettext", "msgid": "%(answer)s"},
        "params": {
            "answer": {"t": "gettext", "msgid": "Yes"},
            "n": 3,
            "amount": {"t": "decimal", "value": "2.50"},
        },
    }


def test_a_lazy_value_that_is_no_translation_is_kept_in_each_language():
    form = text_form(lazy_step_label({"key": "accept", "name": ""}))

    assert form == {"t": "languages", "texts": {"zh-hans": "受理", "en": "Acceptance"}}
    assert set(form["texts"]) == {code for code, _name in settings.LANGUAGES}


def test_plural_context_and_format_forms_render_in_the_active_language():
    plural = message(ngettext_lazy("%(count)d item", "%(count)d items", 2), count=2)
    assert _again(message(gettext_lazy("%(x)s"), x=plural), "en") == "2 items"

    month = pgettext_lazy("alt. month", "May")
    assert _again(month, "zh-hans", written_in="en") == "五月"
    assert _again(month, "en") == "May"

    formatted = format_lazy("{} / {answer}", gettext_lazy("Yes"), answer=gettext_lazy("No"))
    assert _again(formatted, "en") == "Yes / No"


def test_a_msgid_missing_from_the_catalogue_reads_as_its_english_source():
    text = message("A sentence no catalogue holds: %(n)s", n=5)

    assert _again(text, "zh-hans", written_in="en") == "A sentence no catalogue holds: 5"
    assert _again(text, "en") == "A sentence no catalogue holds: 5"


def test_the_stored_text_stands_when_it_is_in_the_readers_language():
    form = {"v": 1, "language": "en", "subject": {"t": "gettext", "msgid": "Yes"}, "body": None}
    with translation.override("en"):
        assert texts_render(form, subject="as written", body="") == ("as written", "")
    with translation.override("zh-hans"):
        assert texts_render(form, subject="as written", body="") == ("是", "")


def test_parameters_that_no_longer_fit_the_template_fall_back():
    # The msgid's own placeholders when a translation's do not match
    renamed = {
        "t": "message",
        "template": {"t": "gettext", "msgid": "%(answer)s!"},
        "params": {"answer": "ok"},
    }
    form = {"v": 1, "language": "en", "subject": renamed, "body": None}
    with translation.override("zh-hans"):
        assert texts_render(form, subject="stored", body="")[0] == "ok!"
    # the stored text when even those do not
    missing = {"t": "message", "template": {"t": "gettext", "msgid": "%(gone)s"}, "params": {"answer": "ok"}}
    with translation.override("zh-hans"):
        assert texts_render({**form, "subject": missing}, subject="stored", body="")[0] == "stored"


MALFORMED = [
    "garbage",
    ["v", 1],
    {"v": 2, "language": "en", "subject": {"t": "gettext", "msgid": "Yes"}},
    {"v": 1, "language": "en", "subject": "plain"},
    {"v": 1, "language": "en", "subject": {"t": "gettext", "msgid": ["Yes"]}},
    {"v": 1, "language": "en", "subject": {"t": "nope"}},
    {"v": 1, "language": "en", "subject": {"t": "message", "template": 5, "params": {}}},
    {
        "v": 1,
        "language": "en",
        "subject": {"t": "message", "template": {"t": "gettext", "msgid": "%(a)d"}, "params": {"a": "x"}},
    },
    {
        "v": 1,
        "language": "en",
        "subject": {"t": "message", "template": {"t": "gettext", "msgid": "x"}, "params": [1]},
    },
    {
        "v": 1,
        "language": "en",
        "subject": {"t": "message", "template": {"t": "gettext", "msgid": "%(a)s"}, "params": {"a": [1]}},
    },
    {"v": 1, "language": "en", "subject": {"t": "ngettext", "singular": "a", "plural": "b", "n": "2"}},
    {"v": 1, "language": "en", "subject": {"t": "languages", "texts": {}}},
    {"v": 1, "language": "en", "subject": {"t": "languages", "texts": {"fr": 5}}},
    {"v": 1, "language": "en", "subject": {"t": "decimal", "value": "x"}},
    {
        "v": 1,
        "language": "en",
        "subject": {"t": "format", "format": {"t": "gettext", "msgid": "{0}"}, "args": [], "kwargs": {}},
    },
]


@pytest.mark.parametrize("texts", MALFORMED)
def test_a_malformed_stored_value_shows_the_stored_text(client, texts):
    user = UserFactory(language="zh-hans")
    note = _tell(user, "e:1", "已存主题", "已存正文")
    Notification.objects.filter(pk=note.pk).update(texts=texts)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 200
    assert "已存主题" in response.content.decode()
    api = client.get(API)
    assert api.status_code == 200
    assert api.json()["items"][0]["subject"] == "已存主题"
    assert api.json()["items"][0]["body"] == "已存正文"


def test_a_deeply_nested_stored_value_shows_the_stored_text():
    form: dict = {"t": "gettext", "msgid": "Yes"}
    for _ in range(50):
        form = {"t": "message", "template": form, "params": {}}
    with translation.override("zh-hans"):
        assert texts_render({"v": 1, "language": "en", "subject": form}, subject="s", body="b") == ("s", "b")


def test_the_recipients_language_at_writing_is_kept_per_row():
    zh, en = UserFactory(language="zh-hans"), UserFactory(language="en")
    notify(recipients=[zh, en], event_key="e:1", kind="k", subject=message(gettext_lazy("Yes")), body="")

    assert Notification.objects.get(recipient=zh).texts["language"] == "zh-hans"
    assert Notification.objects.get(recipient=en).texts["language"] == "en"
    # one who has not chosen a language is written to in the default one
    nobody = UserFactory()
    assert User.objects.get(pk=nobody.pk).language == ""
    notify(recipients=[nobody], event_key="e:2", kind="k", subject=message(gettext_lazy("Yes")), body="")
    assert Notification.objects.get(recipient=nobody).texts["language"] == settings.LANGUAGE_CODE

"""The inbox on a 390-pixel phone, in both languages: a date or an amount inside a
message's subject or text (2026-03-08, 600,000 元) stays on one line wherever the line
happens to end, whether the text was stored as written or is rendered again in the
reader's language; the stored texts and what the API gives stay the plain text."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import gettext_noop

from qinqing.common.testing.browser import log_in
from qinqing.common.testing.layout import broken_tokens, horizontal_overflow
from qinqing.notifications.models import Notification
from qinqing.notifications.services import notify
from qinqing.notifications.text import message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Prefixes of every length up to a phone's line, so that some date and some amount
# falls where a line ends, in either language.
LENGTHS = range(1, 16)  # 30 messages: one page of the inbox


def _tell_with_dates(user: Any) -> None:
    for n in LENGTHS:
        notify(
            recipients=[user],
            event_key=f"plain:{n}",
            kind="test",
            subject="案" * n + "的复核环节于2026-03-08到期",
            body="款" * n + "金额600,000 元，逾期于2026-03-10 09:30上报；" + "x" * n + " 1,000,000 yuan",
        )
        notify(
            recipients=[user],
            event_key=f"texts:{n}",
            kind="test",
            subject=message(
                gettext_noop("%(project)s: “%(title)s” is now due on %(date)s."),
                project="项" * n,
                title="竣工验收",
                date="2026-03-08",
            ),
            body="",
        )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dates_and_amounts_in_messages_stay_whole_on_a_phone(
    city: Any, phone_page: Any, language: str
) -> None:
    _tell_with_dates(city.officer)
    page = phone_page
    log_in(page, city.officer.username)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])

    page.goto(page.base_url + "/inbox/")

    items = page.get_by_test_id("notification")
    assert items.count() == 2 * len(LENGTHS)
    shown = items.all_inner_texts()
    # Each message reads in the language of the moment; the page shows the plain characters.
    due = {"zh-hans": "的到期日现为 2026-03-08", "en": "is now due on 2026-03-08"}[language]
    assert sum(due in text for text in shown) == len(LENGTHS)
    assert sum("600,000 元" in text and "2026-03-10 09:30" in text for text in shown) == len(LENGTHS)
    assert broken_tokens(page) == []
    assert horizontal_overflow(page) == 0

    # Kept whole on display only: the stored texts and the API have no markup.
    stored = Notification.objects.get(recipient=city.officer, event_key="plain:3")
    assert stored.subject == "案案案的复核环节于2026-03-08到期"
    assert stored.body == "款款款金额600,000 元，逾期于2026-03-10 09:30上报；xxx 1,000,000 yuan"
    api = page.request.get(page.base_url + "/api/v1/notifications?limit=200").json()
    texts = {item["subject"] + item["body"] for item in api["items"]}
    assert stored.subject + stored.body in texts
    assert not any("<" in text for text in texts)

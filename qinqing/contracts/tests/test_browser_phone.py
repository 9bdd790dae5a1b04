"""The project's timeline on a 390-pixel phone, in both languages: the Gantt chart's
"today" line keeps its label above the chart, clear of the time axis's year labels, no
two texts on the chart are drawn over each other, and the page does not scroll sideways
nor split a date or an amount across lines."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from qinqing.common.testing.browser import log_in
from qinqing.common.testing.layout import broken_tokens, chart_texts, horizontal_overflow, overlapping_texts

from .test_pages_browse import Pages, pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["pages"]

TODAY = {"zh-hans": "今天", "en": "Today"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_gantt_chart_reads_cleanly_on_a_phone(pages: Pages, phone_page: Any, language: str) -> None:
    page = phone_page
    city: Any = pages.city
    log_in(page, city.committee_member.username)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto(f"{page.base_url}/contracts/projects/{pages.project.public_id}/")
    gantt = page.get_by_test_id("gantt")
    gantt.locator("canvas").first.wait_for()

    texts = chart_texts(gantt)
    today = [t for t in texts if t["text"] == TODAY[language]]
    assert len(today) == 1, texts
    others = [t for t in texts if t is not today[0]]
    # Above the first row and the time axis alike: never on the axis's year labels.
    assert today[0]["y"] + today[0]["height"] <= min(t["y"] for t in others), texts
    assert overlapping_texts(texts) == []

    assert broken_tokens(page) == []
    assert horizontal_overflow(page) == 0

    # An obligation: its due date and the times in its history.
    page.goto(page.base_url + reverse("contracts:obligation", args=[pages.permit.public_id]))
    page.get_by_test_id("due-date").wait_for()
    assert broken_tokens(page) == []
    assert horizontal_overflow(page) == 0

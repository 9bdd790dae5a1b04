"""A payment instruction on a 390-pixel phone, in both languages: its key (a case's
payment key, case-<uuid>, 41 characters) stays on one line, never split at its hyphens,
and on a still narrower screen it scrolls inside its own box instead of widening the page;
the amounts and times stay whole too."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from qinqing.common.testing.browser import log_in
from qinqing.common.testing.layout import broken_tokens, horizontal_overflow
from qinqing.payments.services import payment_send

from .factories import instruct

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How the key's box lays it out: the lines its text takes, and whether it scrolls.
_KEY_BOX_JS = """
(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0.5).map((r) => Math.round(r.top)));
  return { lines: lines.size, scrolls: el.scrollWidth > el.clientWidth, right: el.getBoundingClientRect().right };
}
"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_payment_key_stays_whole_on_a_phone(city: Any, phone_page: Any, language: str) -> None:
    # Given a sent payment whose key is a case's: case- and a UUID, hyphens and all
    key = f"case-{uuid.uuid4()}"
    instruction = instruct(city.drc, key=key, source_id="412")
    payment_send(instruction_id=instruction.pk)
    page = phone_page
    log_in(page, city.officer.username)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])

    # When the officer opens it on a phone
    page.goto(f"{page.base_url}/payments/{instruction.public_id}/")

    # Then the key is on one line, all of it in view, and nothing else breaks or overflows
    box = page.locator("[data-field=key]")
    assert box.inner_text() == key
    assert box.evaluate(_KEY_BOX_JS) == {"lines": 1, "scrolls": False, "right": pytest.approx(378, abs=12)}
    assert broken_tokens(page) == []
    assert horizontal_overflow(page) == 0

    # On the narrowest phones (320 pixels) the key scrolls in its own box: still one line, the page still fits
    page.set_viewport_size({"width": 320, "height": 640})
    layout = box.evaluate(_KEY_BOX_JS)
    assert layout["lines"] == 1
    assert layout["scrolls"] is True
    assert layout["right"] <= 320
    assert broken_tokens(page) == []
    assert horizontal_overflow(page) == 0

    # And the list's amounts stay whole.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/payments/")
    assert "600,000.00" in page.get_by_test_id("payments-table").inner_text()
    assert broken_tokens(page) == []
    assert horizontal_overflow(page) == 0

"""The public figures in real Chromium at a phone's size: the chart draws from its
static script under the strict CSP, and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from .test_ocds_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_page_draws_its_chart_on_a_phone(city: Any, phone_page: Any) -> None:
    build_world(city)
    page = phone_page
    page.goto(page.base_url + "/contracts/public/")
    assert page.get_by_test_id("public-government-rate").inner_text() == "40%"
    # ECharts replaced the empty box with its canvas: public.js ran (no CSP refusal)
    page.locator("[data-contracts-chart] canvas").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

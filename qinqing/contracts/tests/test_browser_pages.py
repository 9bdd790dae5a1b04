"""The read side in real Chromium: the committee's project page draws the Gantt chart of
both sides' obligations, the dashboard draws its charts, and the enterprise reads its
obligations on a 390-pixel phone, all without a console error (a CSP violation is one)."""

from __future__ import annotations

from typing import Any

import pytest

from qinqing.common.testing.browser import log_in

from .test_pages_browse import Pages, pages

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["pages"]

DESKTOP = {"width": 1366, "height": 900}


def _desk(chromium: Any, live_server: Any, username: str) -> Any:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.console_errors = errors
    log_in(page, username)
    return page


def test_committee_sees_the_gantt_chart_and_the_dashboard(
    pages: Pages, chromium: Any, live_server: Any
) -> None:
    desk = _desk(chromium, live_server, pages.city.committee_member.username)
    desk.goto(live_server.url + "/contracts/")
    desk.locator(f"a[href*='{pages.project.public_id}']").first.click()
    desk.wait_for_url(f"**/contracts/projects/{pages.project.public_id}/")
    gantt = desk.get_by_test_id("gantt")
    gantt.locator("canvas").first.wait_for()
    assert gantt.get_attribute("data-rendered") == "true"
    assert gantt.bounding_box()["height"] >= 220
    # The accessible table below lists every obligation with a link.
    assert desk.get_by_test_id("obligation-row").count() == 6
    assert "核发施工许可证" in desk.get_by_test_id("government-obligations").inner_text()

    desk.goto(live_server.url + "/contracts/dashboard/")
    desk.get_by_test_id("rate-chart").locator("canvas").first.wait_for()
    desk.get_by_test_id("department-chart").locator("canvas").first.wait_for()
    assert desk.get_by_test_id("open-alarms").inner_text().strip() == "1"
    assert desk.console_errors == []
    desk.context.close()


def test_enterprise_reads_its_obligations_on_a_phone(pages: Pages, phone_page: Any) -> None:
    page = phone_page
    log_in(page, pages.city.enterprise_user.username)
    page.goto(page.base_url + "/contracts/")
    page.wait_for_url("**/contracts/mine/")
    own = page.get_by_test_id("own-obligations")
    assert own.get_by_test_id("mine-item").count() == 3
    assert "开工建设" in own.inner_text()
    theirs = page.get_by_test_id("government-obligations").inner_text()
    assert "核发施工许可证" in theirs
    # Fits the phone: nothing scrolls sideways; the bottom bar is the menu.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".qq-bottom-nav").is_visible()

    # Its project's timeline also draws on the phone.
    page.get_by_test_id("my-projects").locator("a").first.click()
    page.wait_for_url(f"**/contracts/projects/{pages.project.public_id}/")
    page.get_by_test_id("gantt").locator("canvas").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

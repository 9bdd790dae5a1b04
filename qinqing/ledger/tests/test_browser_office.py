"""The commission's dashboard in real Chromium on a desktop: its four ECharts charts
draw, a click on a figure drills down to the problem list, and nothing on the way
raises a console error (a CSP violation is one). And the walk-through form's "add a
problem" row works without an inline script; and the office fits a phone, its problem
list filtering in place through htmx."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from qinqing.common.testing.browser import DESKTOP, log_in

from .conftest import World
from .test_pages_office import build_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_the_dashboard_draws_its_charts(ledger: World, chromium: Any, live_server: Any) -> None:
    office = build_office(ledger)
    desk = _desk(chromium, live_server, office.c.city_supervisor.username)
    desk.goto(live_server.url + "/ledger/dashboard/")
    for chart in ("channel-chart", "category-chart", "department-chart", "campaign-chart"):
        element = desk.get_by_test_id(chart)
        element.locator("canvas, svg").first.wait_for()
        assert element.get_attribute("data-rendered") == "true", chart
        assert element.bounding_box()["height"] >= 200
    assert desk.get_by_test_id("figure-registered").inner_text().strip() == "5"
    assert desk.get_by_test_id("department-row").count() == 2

    # Drill down: the overdue figure opens the problem list holding that problem.
    desk.get_by_test_id("figure-overdue").click()
    desk.wait_for_url("**/ledger/problems/?overdue=1")
    rows = desk.get_by_test_id("problem-row")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-reference") == office.overdue.reference
    assert desk.console_errors == []
    desk.context.close()


def test_the_walk_form_adds_a_problem_row(ledger: World, chromium: Any, live_server: Any) -> None:
    desk = _desk(chromium, live_server, ledger.city.head.username)
    desk.goto(live_server.url + "/ledger/walks/new/")
    rows = desk.get_by_test_id("found-row")
    assert rows.count() == 1
    desk.locator("[data-rows='problems'] [data-add-row]").click()
    assert rows.count() == 2
    assert desk.locator("input[name='problems-TOTAL_FORMS']").input_value() == "2"
    assert desk.locator("input[name='problems-1-title']").count() == 1
    assert desk.console_errors == []
    desk.context.close()


def test_the_office_fits_a_phone(ledger: World, phone_page: Any) -> None:
    office = build_office(ledger)
    page = phone_page
    log_in(page, office.c.city_supervisor.username)
    for path in ("/ledger/dashboard/", "/ledger/problems/", "/ledger/campaigns/", "/ledger/points/"):
        page.goto(page.base_url + path)
        # Nothing scrolls sideways: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(page.base_url + "/ledger/problems/")
    page.get_by_label("已逾期").check()
    page.wait_for_url("**/ledger/problems/?*overdue=1*")
    # htmx swapped the results in: the one overdue problem.
    expect(page.get_by_test_id("problem-row")).to_have_count(1)
    assert page.get_by_test_id("problem-row").get_attribute("data-reference") == office.overdue.reference

"""The alerts page in real Chromium at a phone's size."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.common.testing.browser import log_in
from qinqing.deadlines.scan import deadlines_scan
from qinqing.deadlines.services import deadline_open

from .conftest import KIND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_reads_alerts_on_a_phone(city, ladders, phone_page):
    deadline_open(
        actor=None,
        kind=KIND,
        object_type="test.record",
        object_id="1",
        organisation=city.drc,
        due_date=dt.date(2026, 3, 10),
        owner=city.officer,
        title="某项目施工许可证审批",
    )
    deadlines_scan(today=dt.date(2026, 3, 11))
    page = phone_page
    log_in(page, "officer")
    page.goto(page.base_url + "/deadlines/alerts/")
    table = page.get_by_test_id("alerts-table").inner_text()
    assert "某项目施工许可证审批" in table and "警报" in table
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("级别").select_option("alarm")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/deadlines/alerts/?rung=alarm*")
    assert page.get_by_test_id("alerts-table").locator("tbody tr").count() == 1


def test_a_provisional_deadline_shows_its_badge_on_a_phone(city, ladders, phone_page):
    deadline_open(
        actor=None,
        kind=KIND,
        object_type="test.record",
        object_id="2",
        organisation=city.drc,
        due_date=dt.date(2027, 1, 8),
        owner=city.officer,
        title="跨年审批事项",
    )
    deadlines_scan(today=dt.date(2027, 1, 8))
    page = phone_page
    log_in(page, "officer")
    page.goto(page.base_url + "/deadlines/alerts/")
    badges = page.get_by_test_id("deadline-provisional")
    assert badges.count() == 2  # the reminder's row and the warning's
    assert badges.first.inner_text() == "暂定"
    assert "法定节假日" in (badges.first.get_attribute("title") or "")
    assert page.get_by_test_id("provisional-note").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

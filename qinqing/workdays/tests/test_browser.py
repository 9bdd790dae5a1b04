"""The calendar page in real Chromium at a phone's size: no CSP errors, nothing
scrolls sideways, and the remove button asks first."""

from __future__ import annotations

import datetime as dt

import pytest

from qinqing.common.testing.browser import log_in
from qinqing.workdays.models import CalendarDay, CalendarYear

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_and_removes_a_day_on_a_phone(city, phone_page):
    page = phone_page
    log_in(page, "admin")
    page.goto(page.base_url + "/calendar/?year=2028")
    assert page.get_by_test_id("year-incomplete").is_visible()
    page.get_by_label("日期", exact=True).fill("2028-01-01")
    page.get_by_label("节日", exact=True).select_option("new_year")
    page.get_by_role("button", name="添加", exact=True).click()
    page.wait_for_url("**/calendar/?year=2028")
    assert "2028-01-01" in page.get_by_test_id("calendar-days").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Declining the confirmation keeps the day; accepting removes it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="删除").click()
    assert CalendarDay.objects.filter(date=dt.date(2028, 1, 1)).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除").click()
    page.wait_for_url("**/calendar/?year=2028")
    assert not CalendarDay.objects.filter(date=dt.date(2028, 1, 1)).exists()


def test_admin_marks_the_provisional_year_complete_on_a_phone(city, phone_page):
    page = phone_page
    log_in(page, "admin")
    page.goto(page.base_url + "/calendar/?year=2027")
    assert page.get_by_test_id("year-provisional").inner_text() == "暂定"
    assert "国务院" in page.get_by_test_id("provisional-explanation").inner_text()
    assert page.get_by_label("暂定", exact=True).is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("已完整录入", exact=True).check()
    page.get_by_role("button", name="保存年度").click()
    page.wait_for_url("**/calendar/?year=2027")
    assert page.get_by_test_id("year-complete").is_visible()
    assert page.get_by_test_id("provisional-explanation").count() == 0
    assert CalendarYear.objects.get(year=2027).status == "complete"

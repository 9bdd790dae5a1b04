"""In real Chromium at a phone-sized viewport: log in and see the home page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from qinqing.accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_on_a_phone_and_see_the_home_page(city, phone_page):
    page = phone_page
    # Without an account the home page is the platform's public face, with the login
    page.goto(page.base_url + "/")
    assert page.get_by_test_id("public-link").count() == 4
    page.get_by_role("main").get_by_role("link", name="登录").click()
    page.wait_for_url(re.compile(r".*/accounts/login/"))
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    assert page.get_by_test_id("home-heading").inner_text().startswith("欢迎")
    assert page.get_by_role("heading", name="经办人").is_visible()
    # Fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The bottom navigation is the phone's menu.
    assert page.locator(".qq-bottom-nav").is_visible()


def test_wrong_password_shows_the_error_in_the_page(city, phone_page):
    page = phone_page
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码错误" in page.get_by_test_id("login-error").inner_text()


def test_switch_to_english(city, phone_page):
    page = phone_page
    page.goto(page.base_url + "/accounts/login/")
    # On a phone the language switch sits in the collapsed menu.
    page.get_by_role("button", name="菜单").click()
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_heads_navbar_fits_one_row_and_its_menus_open(city, chromium, live_server):
    from qinqing.common.testing.browser import DESKTOP, log_in

    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live_server.url
    log_in(page, "head")
    # Two dozen pages in menus: the navbar is one row on a desktop, not three
    entries = page.locator("#qq-nav > ul.navbar-nav > li")
    tops = {round(box["y"]) for box in (entries.nth(k).bounding_box() for k in range(entries.count()))}
    assert len(tops) == 1, tops
    # A menu opens on a click and its entry leads to the page
    overview = page.get_by_role("link", name="部门总览")
    expect(overview).to_be_hidden()
    page.get_by_role("button", name="惠企政策").click()
    expect(overview).to_be_visible()
    overview.click()
    page.wait_for_url(live_server.url + "/policies/office/overview/")
    expect(page.get_by_role("button", name="惠企政策")).to_have_class(re.compile(r"\bactive\b"))
    assert errors == []
    context.close()


def test_an_english_navbar_keeps_each_label_whole_and_the_badge_apart(city, chromium, live_server):
    """English labels are longer: entries may wrap as wholes, a label never breaks inside,
    and the inbox badge keeps its distance from the log-out button."""
    from qinqing.common.testing.browser import DESKTOP, log_in

    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, "citysup")
    page.locator("#qq-language").select_option("en")
    page.wait_for_load_state("load")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.navbar .nav-link')).lineHeight)"
    )
    for selector in ("#qq-nav .nav-link", "[data-testid=current-user]", "button:has-text('Log out')"):
        boxes = page.locator(selector)
        for k in range(boxes.count()):
            box = boxes.nth(k).bounding_box()
            text = boxes.nth(k).inner_text()
            assert box is not None and box["height"] < 2 * line + 2, (selector, text, box)
    logout = page.get_by_role("button", name="Log out").bounding_box()
    badge = page.get_by_test_id("inbox-badge").bounding_box()
    assert logout is not None and badge is not None
    assert badge["x"] >= logout["x"] + logout["width"] + 4
    context.close()

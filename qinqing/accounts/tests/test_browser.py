"""In real Chromium at a phone-sized viewport: log in and see the home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from qinqing.accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_on_a_phone_and_see_the_home_page(city, phone_page):
    page = phone_page
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url
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

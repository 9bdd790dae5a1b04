"""The supervisor's pages in real Chromium at a phone's size (CSP on, htmx polling)."""

from __future__ import annotations

import pytest

from qinqing.audit.models import AuditVerification
from qinqing.audit.services import verification
from qinqing.audit.tasks import verify_audit_chain
from qinqing.common.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_checks_the_trail_and_reads_a_timeline_on_a_phone(city, trail, phone_page):
    page = phone_page
    log_in(page, "citysup")
    page.goto(page.base_url + "/supervision/audit/")
    assert "尚未检查" in page.get_by_test_id("verification").inner_text()
    page.get_by_test_id("verify-button").click()
    page.wait_for_url(page.base_url + "/supervision/audit/")
    assert page.get_by_test_id("verification-status").inner_text() == "完整"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_test_id("recent-events").get_by_role("link").first.click()
    page.wait_for_url("**/supervision/timeline/?type=*")
    assert page.get_by_test_id("timeline").locator("li").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_background_check_updates_the_page_when_done(city, trail, phone_page, monkeypatch):
    monkeypatch.setattr(verification, "INLINE_LIMIT", 0)
    page = phone_page
    log_in(page, "sup")
    page.goto(page.base_url + "/supervision/audit/")
    page.get_by_test_id("verify-button").click()
    page.wait_for_url(page.base_url + "/supervision/audit/")
    assert page.get_by_test_id("verify-button").is_disabled()
    # The worker's part, while the page polls.
    run = AuditVerification.objects.get()
    verify_audit_chain.call(run_id=str(run.public_id))
    page.get_by_test_id("verification-status").wait_for(timeout=10_000)
    assert page.get_by_test_id("verification-status").inner_text() == "完整"
    assert page.get_by_test_id("verify-button").is_enabled()


def test_time_to_cash_draws_its_chart_under_the_csp(city, cash_world, phone_page):
    page = phone_page
    log_in(page, "citysup")
    page.goto(page.base_url + "/supervision/policies/time-to-cash/?since=2026-03-01&until=2026-03-31")
    # ECharts renders into a canvas inside the chart's element (from the JSON script tag).
    page.locator("[data-chart='qq-cash-chart'] canvas").first.wait_for(timeout=10_000)
    assert page.get_by_test_id("cash-departments").locator("tbody tr").count() == 2
    page.get_by_role("link", name="超期环节").click()
    page.wait_for_url("**/supervision/policies/late/")
    assert page.get_by_test_id("late-empty").is_visible()

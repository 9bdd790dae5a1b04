"""In real Chromium: the department head tops up a published policy's budget on the
amendment form (a new version, with the reason), reads the department overview and
the objections to decide at the desk, and anyone reads the amendment on the public
page on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from qinqing.policies.models import PolicyVersion
from qinqing.policies.services.cases import case_approve, case_reject, invitation_confirm, objection_lodge

from .test_browser_story import _desk
from .workflow import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_amends_the_budget_and_reads_the_overview(
    world: World, phone_page: Any, chromium: Any, live_server: Any
) -> None:
    policy = world.policy
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    case = case_reject(actor=world.head, case=case, reason="评定文件不全")
    objection_lodge(actor=world.spot_user, case=case, text="评定文件已于当日公布")

    desk = _desk(chromium, live_server, world.head.username)
    desk.goto(f"{live_server.url}/policies/office/policies/{policy.public_id}/edit/")
    desk.locator("input[name=budget_total]").fill("8000000")
    desk.get_by_test_id("policy-form").locator("button[type=submit]").click()
    # Without a reason the form comes back with what was typed, and says why.
    expect(desk.locator("input[name=budget_total]")).to_have_value("8000000")
    expect(desk.locator("#id_reason ~ .invalid-feedback, .invalid-feedback").first).to_be_visible()
    # The refused form answers 400 by design, which Chromium logs as a failed load.
    assert [e for e in desk.console_errors if "400" not in e] == []
    desk.console_errors.clear()
    desk.locator("textarea[name=reason]").fill("市财政追加预算300万元")
    desk.get_by_test_id("policy-form").locator("button[type=submit]").click()
    desk.wait_for_url(f"{live_server.url}/policies/office/policies/{policy.public_id}/")
    expect(desk.get_by_test_id("versions")).to_contain_text("市财政追加预算300万元")
    assert PolicyVersion.objects.filter(policy=policy).count() == 2

    desk.goto(f"{live_server.url}/policies/office/overview/")
    expect(desk.get_by_text(policy.title).first).to_be_visible()
    expect(desk.locator("body")).to_contain_text("8,000,000")
    desk.goto(f"{live_server.url}/policies/office/objections/")
    expect(desk.get_by_test_id("objection-row")).to_contain_text(case.reference or "")
    assert desk.console_errors == []
    desk.context.close()

    phone_page.goto(f"{live_server.url}/policies/{policy.public_id}/")
    expect(phone_page.get_by_test_id("amendments")).to_contain_text("市财政追加预算300万元")
    expect(phone_page.get_by_test_id("clause").first).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

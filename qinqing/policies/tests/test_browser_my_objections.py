"""In real Chromium at a phone-sized viewport: someone who objected to awards under
notice while signed in finds them under My objections from the notices page, each with
its state, and the decided one with the department's reply; a visitor who looks codes up
too often is told, in Chinese, when to try again, with the code kept in the form."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.common.testing.browser import log_in
from qinqing.common.throttle import ANONYMOUS_SUBMIT, RECEIPT_LOOKUP
from qinqing.policies.models import Policy
from qinqing.policies.services.cases import case_approve, invitation_confirm, objection_decide
from qinqing.policies.services.notice_objections import notice_objection_lodge

from .workflow import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 1},
]
REPLY = "经核实，该景区已于今年取得3A评级，异议不成立。"
SHOTS = os.environ.get("QINQING_SCREENSHOTS", "")


def _fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_my_objections_on_a_phone(world: World, phone_page: Any) -> None:
    page = phone_page
    Policy.objects.filter(pk=world.policy.pk).update(steps=NOTICE_STEPS)
    case = case_approve(
        actor=world.officer, case=invitation_confirm(actor=world.spot_user, invitation=world.invite())
    )
    user: Any = UserFactory(username="neighbour")
    neighbour = give_role(user, Role.ENTERPRISE, enterprise=world.city.other_enterprise)
    first, _code = notice_objection_lodge(actor=neighbour, case=case, text="该景区尚未取得3A评级。")
    objection_decide(actor=world.officer_b, objection=first, uphold=False, reply=REPLY)
    second, _code = notice_objection_lodge(actor=neighbour, case=case, text="该景区存在安全隐患。")

    log_in(page, neighbour.username)
    page.goto(page.base_url + "/policies/notices/")
    page.get_by_test_id("my-objections-link").click()
    page.wait_for_url(page.base_url + "/policies/notices/objection/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的异议")
    decided = page.get_by_test_id(f"objection-{first.public_id}")
    expect(decided.get_by_test_id("objection-reply")).to_have_text(REPLY)
    still_open = page.get_by_test_id(f"objection-{second.public_id}")
    expect(still_open.get_by_test_id("objection-outcome")).to_be_visible()
    expect(page.get_by_test_id("my-objections-export")).to_be_visible()
    _fits_the_phone(page)
    _shot(page, "my-objections")


def test_too_many_lookups_on_a_phone(world: World, phone_page: Any, settings: Any) -> None:
    settings.QINQING_THROTTLES = {RECEIPT_LOOKUP: (1, 600), ANONYMOUS_SUBMIT: (1, 3600)}
    page = phone_page
    page.goto(page.base_url + "/policies/notices/objection/follow/")
    for _ in range(2):
        page.get_by_label("回执码（16位）").fill("1234 5678 9012 3456")
        page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("follow-error")).to_contain_text("分钟后再试")
    expect(page.get_by_label("回执码（16位）")).to_have_value("1234 5678 9012 3456")
    _fits_the_phone(page)
    _shot(page, "follow-throttled")
    # The answers were 404 (no such code) then 429, each logged by the browser; no other error
    statuses = [e.split(" ", 1)[0] for e in page.console_errors if e[:1].isdigit()]
    assert statuses == ["404", "429"], page.console_errors
    assert all(e[:1].isdigit() or "status of 4" in e for e in page.console_errors), page.console_errors
    page.console_errors.clear()

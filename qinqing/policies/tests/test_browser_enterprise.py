"""In real Chromium at a phone-sized viewport: the enterprise logs in, sees its
invitation, confirms it in one tap and lands on its case page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from qinqing.common.testing.browser import log_in
from qinqing.policies.models import Case, CaseStatus

from .workflow import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_enterprise_confirms_its_invitation_in_one_tap_on_a_phone(world: World, phone_page) -> None:
    page = phone_page
    invitation = world.invite()
    log_in(page, world.spot_user.username)

    # The home page leads to the policies that fit; the invitation is one tap away.
    page.goto(page.base_url + "/policies/for-me/")
    card = page.get_by_test_id(f"fit-{world.policy.code}")
    expect(card).to_contain_text("600,000")
    _fits_the_phone(page)
    card.locator(f"a[href='/policies/invitations/{invitation.public_id}/']").click()

    page.wait_for_url(f"{page.base_url}/policies/invitations/{invitation.public_id}/")
    expect(page.get_by_test_id("invitation-award")).to_contain_text("600,000")
    expect(page.get_by_test_id("explanation")).to_contain_text("泉政文〔2023〕15号")
    _fits_the_phone(page)
    confirm = page.get_by_test_id("confirm")
    box = confirm.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300  # a big tap target
    confirm.click()

    case = Case.objects.get(invitation=invitation)
    page.wait_for_url(f"{page.base_url}/policies/cases/{case.public_id}/")
    expect(page.get_by_test_id("case-heading")).to_have_text(world.policy.title)
    expect(page.get_by_test_id("case-award")).to_contain_text("600,000")
    expect(page.get_by_test_id("timeline")).to_be_visible()
    expect(page.locator(".alert-success")).to_contain_text(case.reference or "")
    assert case.status == CaseStatus.IN_REVIEW
    _fits_the_phone(page)

    # And the case is in the list of its cases.
    page.goto(page.base_url + "/policies/mine/")
    expect(page.get_by_test_id(f"case-{case.reference}")).to_be_visible()
    _fits_the_phone(page)


def test_anyone_objects_to_an_award_under_notice_on_a_phone(world: World, phone_page) -> None:
    from qinqing.policies.models import Objection, Policy
    from qinqing.policies.services.cases import case_approve, invitation_confirm

    steps = [
        {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
        {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
        {"key": "disburse", "role": "department_head", "kind": "payment", "limit": 1},
    ]
    Policy.objects.filter(pk=world.policy.pk).update(steps=steps)
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case_approve(actor=world.officer, case=case)
    page = phone_page

    # Not logged in: the notice is public.
    page.goto(page.base_url + "/policies/notices/")
    notice = page.get_by_test_id(f"notice-{case.reference}")
    expect(notice).to_contain_text(world.spot.name)
    expect(notice).to_contain_text("600,000")
    _fits_the_phone(page)
    notice.locator("summary").click()
    notice.locator("textarea").fill("该景区尚未取得3A评级。")
    notice.locator("button[type=submit]").click()
    # Without a way to reach them, the visitor is asked for one; the text stays.
    page.wait_for_load_state()
    notice = page.get_by_test_id(f"notice-{case.reference}")
    expect(notice.locator("textarea")).to_have_value("该景区尚未取得3A评级。")
    assert not Objection.objects.exists()
    # The refusal is answered 400 on purpose; the fixture counts it as a console error.
    assert any(e.startswith("400 ") for e in page.console_errors)
    page.console_errors.clear()
    notice.locator("input[type=text]").fill("13800000000")
    notice.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Objection.objects.get().contact == "13800000000"

"""The source article's story in real Chromium: a scenic spot newly rated 3A is invited
to the 600,000-yuan award, confirms on a phone, three officials approve at their desks,
the treasury pays the same day, the enterprise sees the money, and the supervisor sees
every step with its time."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from qinqing.common.testing.browser import DESKTOP, log_in
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.models import Case, CaseStatus

from .workflow import World

pytestmark = pytest.mark.django_db(transaction=True)


def _desk(chromium: Any, live_server: Any, username: str) -> Any:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    log_in(page, username)
    return page


def test_the_3a_story_in_the_browser(world: World, phone_page: Any, chromium: Any, live_server: Any) -> None:
    invitation = world.invite()
    # The enterprise, on its phone: the invitation, confirmed in one tap.
    log_in(phone_page, world.spot_user.username)
    phone_page.goto(live_server.url + "/policies/invitations/")
    phone_page.locator(f"a[href*='{invitation.public_id}']").first.click()
    assert "600,000" in phone_page.content() or "600000" in phone_page.content()
    phone_page.get_by_test_id("confirm").click()
    phone_page.wait_for_url("**/policies/cases/**")
    case = Case.objects.get(invitation=invitation)
    assert case.status == CaseStatus.IN_REVIEW

    # Three officials, at their desks, each take one step.
    for user in (world.officer, world.head, world.officer_b):
        desk = _desk(chromium, live_server, user.username)
        desk.goto(live_server.url + "/policies/office/queue/")
        desk.locator(f"a[href*='{case.public_id}']").first.click()
        desk.locator("form[action$='/approve/'] button[type=submit]").click()
        desk.wait_for_load_state()
        assert desk.console_errors == []
        desk.context.close()
    case.refresh_from_db()
    assert case.status == CaseStatus.PAYING

    # The worker sends the instruction (./run demo's worker runs this job).
    payment_send(instruction_id=PaymentInstruction.objects.get(source_id=str(case.pk)).pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    assert timezone.localdate(case.paid_at) == timezone.localdate(case.submitted_at)

    # The enterprise sees the money on its case page.
    phone_page.goto(live_server.url + f"/policies/cases/{case.public_id}/")
    assert phone_page.get_by_test_id("case-paid-at").inner_text().startswith(str(case.paid_at.year))

    # The supervisor sees every step with its time.
    desk = _desk(chromium, live_server, world.city.supervisor.username)
    desk.goto(live_server.url + f"/supervision/policies/cases/{case.public_id}/")
    # Each as a label in the reader's language, the recorded name kept in its title.
    shown = desk.get_by_test_id("case-events").get_by_test_id("event-action")
    recorded = {
        shown.nth(i).get_attribute("title"): shown.nth(i).inner_text().strip() for i in range(shown.count())
    }
    for action in ("case.open", "case.step_start", "case.approve", "payment.instruct", "case.paid"):
        assert action in recorded, action
        assert recorded[action] and recorded[action] != action, (action, recorded[action])
    assert recorded["case.open"] == "立案"
    assert desk.console_errors == []
    desk.context.close()

"""Amounts of money on a 390-pixel phone, in both languages: an award in the officials'
case table, the budget and award lines of the public policy cards and the budgets of the
officials' policy list keep their number and unit (600,000 元, 600,000 yuan) on one
line; only a wide table scrolls, inside its wrapper, never the page."""

from __future__ import annotations

from typing import Any

import pytest

from qinqing.common.testing.browser import log_in
from qinqing.common.testing.layout import broken_tokens, horizontal_overflow
from qinqing.policies.services.cases import case_approve, invitation_confirm

from .workflow import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = {"zh-hans": "元", "en": "yuan"}


def _reads_whole(page: Any, where: str) -> None:
    assert broken_tokens(page) == [], where
    assert horizontal_overflow(page) == 0, where


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_keep_their_unit_on_a_phone(world: World, phone_page: Any, language: str) -> None:
    # Given a case approved and being paid 600,000 yuan
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case_approve(actor=world.officer, case=case)
    page = phone_page
    log_in(page, world.officer.username)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])

    # The department's case table: the award column
    page.goto(page.base_url + "/policies/office/cases/")
    row = page.get_by_test_id("case-row")
    assert f"600,000 {UNIT[language]}" in row.inner_text()
    _reads_whole(page, "cases")

    # The officials' policy list: reserved / total budget
    page.goto(page.base_url + "/policies/office/policies/")
    assert f"5,000,000 {UNIT[language]}" in page.get_by_test_id("policy-row").inner_text()
    _reads_whole(page, "policies")

    # The public cards and a policy's page: the budget and each award line
    for path in ("/policies/", f"/policies/{world.policy.public_id}/"):
        page.goto(page.base_url + path)
        assert f"2,000,000 {UNIT[language]}" in page.locator("main").inner_text(), path
        _reads_whole(page, path)

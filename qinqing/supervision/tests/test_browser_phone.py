"""The supervisor's wide tables on a 390-pixel phone: the late steps (nine columns), the
alerts and the case list keep each case number and date on one line, and only the table
scrolls sideways, inside its wrapper, never the page; its small buttons keep a finger's size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.common.testing.browser import log_in
from qinqing.common.testing.layout import broken_tokens, horizontal_overflow
from qinqing.deadlines.models import Alert, RungName
from qinqing.policies.models import CaseStep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _late_with_alarm(two_cases, case) -> None:
    step = two_cases.step(case)
    CaseStep.objects.filter(pk=step.pk).update(due_date=timezone.localdate() - dt.timedelta(days=10))
    Alert.objects.create(
        deadline=step.deadline,
        rung=RungName.ALARM,
        due_date=step.deadline.due_date,
        rung_on=timezone.localdate(),
        fired_on=timezone.localdate(),
        fired_at=timezone.now(),
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_case_numbers_stay_whole_in_the_wide_tables_on_a_phone(two_cases, phone_page, language):
    _late_with_alarm(two_cases, two_cases.drc_case)
    page = phone_page
    log_in(page, two_cases.world.city.supervisor.username)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    reference = two_cases.drc_case.reference
    for path, table in [
        ("/supervision/policies/late/", "late-table"),
        ("/supervision/policies/cases/", "case-table"),
        ("/supervision/policies/alerts/", "alerts-table"),
    ]:
        page.goto(page.base_url + path)
        assert page.locator("html").get_attribute("lang") == {"zh-hans": "zh-Hans", "en": "en"}[language]
        assert reference in page.get_by_test_id(table).inner_text(), path
        assert broken_tokens(page) == [], path
        assert horizontal_overflow(page) == 0, path
    # The alerts' small export button is still a finger's size on a touch screen.
    assert page.get_by_test_id("alerts-export").bounding_box()["height"] >= 32

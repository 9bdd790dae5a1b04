"""The demo's headline policy: published, and the demo scenic spot is due 600,000 yuan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from qinqing.demo.seeding import SCENIC_SPOT_CODE
from qinqing.policies.models import Policy, PolicyStatus
from qinqing.policies.rules import eligible_enterprises, parse_rule
from qinqing.policies.services import current_version

pytestmark = pytest.mark.django_db


def test_demo_scenic_award_is_published_and_matches_the_3a_spot():
    call_command("seed_demo", "--enterprises", "40")
    policy = Policy.objects.get(code="wlj-scenic-grade")
    assert policy.status == PolicyStatus.PUBLISHED
    assert policy.department.name == "市文化广电和旅游局"
    assert policy.budget_total == Decimal("5000000")
    rule = parse_rule(current_version(policy).rule)
    awards = {e.credit_code: e.award for e in eligible_enterprises(rule, on=dt.date(2026, 6, 1))}
    assert awards[SCENIC_SPOT_CODE] == Decimal("600000")

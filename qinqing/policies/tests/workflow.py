"""A small world for the case workflow tests: a published 3A-award policy of the DRC
with three steps taken by three different people, and a 3A scenic spot."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.policies.models import Case, Invitation, Policy
from qinqing.policies.services.matching import policy_match

from .factories import make_policy

THREE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "recheck", "role": "department_head", "kind": "review", "limit": 3},
    {"key": "disburse", "role": "officer", "kind": "payment", "limit": 1},
]


@dataclass
class World:
    city: Any
    policy: Policy
    spot: Enterprise
    spot_user: User
    officer: User
    officer_b: User
    head: User

    def invite(self) -> Invitation:
        policy_match(actor=self.officer, policy=self.policy)
        return Invitation.objects.get(policy=self.policy, enterprise=self.spot)


def scenic_spot(enterprise: Enterprise, grade: str = "3A") -> Enterprise:
    enterprise.bank_name = "中国银行泉州分行"
    enterprise.bank_account_number = "6216610100012345678"
    enterprise.bank_account_name = enterprise.name
    enterprise.bank_account_verified = True
    enterprise.bank_account_verified_at = timezone.now()
    enterprise.status = "active"
    enterprise.save()
    EnterpriseLabel.objects.update_or_create(
        enterprise=enterprise, key="scenic_grade", defaults={"value": grade}
    )
    return enterprise


@pytest.fixture
def world(city: Any) -> World:
    officer_b = give_role(UserFactory(username="officer-b"), Role.OFFICER, organisation=city.drc)
    policy = make_policy(
        actor=city.officer,
        department=city.drc,
        publish=True,
        steps=THREE_STEPS,
        valid_until=timezone.localdate().replace(month=12, day=31),
        budget_total=Decimal("5000000"),
    )
    return World(
        city=city,
        policy=policy,
        spot=scenic_spot(city.enterprise),
        spot_user=city.enterprise_user,
        officer=city.officer,
        officer_b=officer_b,
        head=city.head,
    )


def refreshed(case: Case) -> Case:
    case.refresh_from_db()
    return case

"""Policy cases for the supervision tests: one case at 市发改委 (inside the 派驻 group's
reach) and one at 市商务局 (outside it), made through the real services; and paid cases
with chosen timestamps for the time-to-cash figures."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.policies.models import Case, CaseOrigin, CaseStatus, CaseStep, Invitation, Policy
from qinqing.policies.services.cases import invitation_confirm
from qinqing.policies.services.matching import policy_match
from qinqing.policies.tests.factories import make_policy
from qinqing.policies.tests.workflow import THREE_STEPS, World, scenic_spot

SHANGHAI = ZoneInfo("Asia/Shanghai")
_periods = itertools.count(1)


@dataclass
class TwoCases:
    world: World
    drc_case: Case
    commerce_case: Case
    commerce_policy: Policy

    def step(self, case: Case) -> CaseStep:
        return CaseStep.objects.select_related("deadline").get(case=case, ended_at__isnull=True)


@pytest.fixture
def two_cases(world: World) -> TwoCases:
    city = world.city
    drc_case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    commerce_policy = make_policy(
        actor=city.other_officer,
        department=city.commerce,
        publish=True,
        steps=THREE_STEPS,
        title="商务局景区奖励",
        valid_until=timezone.localdate().replace(month=12, day=31),
    )
    other = scenic_spot(city.other_enterprise)
    policy_match(actor=city.other_officer, policy=commerce_policy)
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import UserFactory, give_role

    other_user = give_role(UserFactory(username="ent2"), Role.ENTERPRISE, enterprise=other)
    invitation = Invitation.objects.get(policy=commerce_policy, enterprise=other)
    commerce_case = invitation_confirm(actor=other_user, invitation=invitation)
    return TwoCases(
        world=world, drc_case=drc_case, commerce_case=commerce_case, commerce_policy=commerce_policy
    )


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def paid_case(
    policy: Policy, *, submitted: dt.datetime, paid: dt.datetime | None, status: str = CaseStatus.PAID
) -> Case:
    """A case with the timestamps chosen by the test (the services stamp 'now')."""
    return Case.objects.create(
        policy=policy,
        version=policy.versions.order_by("-number").first(),
        enterprise=EnterpriseFactory(region=policy.department),
        organisation=policy.department,
        period=f"T{next(_periods)}",
        origin=CaseOrigin.APPLICATION,
        status=status,
        award_computed=Decimal("1000.00"),
        award=Decimal("1000.00"),
        submitted_at=submitted,
        paid_at=paid,
    )


HOUR = dt.timedelta(hours=1)


@dataclass
class CashWorld:
    drc_policy: Policy
    commerce_policy: Policy


@pytest.fixture
def cash_world(city: Any) -> CashWorld:
    """Cases paid in March 2026 (Beijing time), with these waits from submission:

    市发改委 policy: 2 h, 10 h, 20 h, 30 h, 50 h   (and one paid on 1 April: outside)
    市商务局 policy: 24 h, 72 h                       (and one still paying: not counted)
    """
    drc_policy = make_policy(actor=city.officer, department=city.drc, publish=True)
    commerce_policy = make_policy(actor=city.other_officer, department=city.commerce, publish=True)
    start = beijing(2026, 3, 2, 9, 0)
    for hours in (30, 2, 50, 10, 20):
        paid_case(drc_policy, submitted=start, paid=start + hours * HOUR)
    # Paid at 00:30 on 1 April, Beijing time: 16:30 UTC on 31 March, still outside March.
    paid_case(drc_policy, submitted=beijing(2026, 3, 31, 0, 30), paid=beijing(2026, 4, 1, 0, 30))
    # Paid at 23:30 on 31 March, Beijing time: inside.
    paid_case(commerce_policy, submitted=beijing(2026, 3, 30, 23, 30), paid=beijing(2026, 3, 31, 23, 30))
    paid_case(commerce_policy, submitted=start, paid=start + 72 * HOUR)
    paid_case(commerce_policy, submitted=start, paid=None, status=CaseStatus.PAYING)
    return CashWorld(drc_policy=drc_policy, commerce_policy=commerce_policy)


MARCH = {"since": dt.date(2026, 3, 1), "until": dt.date(2026, 3, 31)}

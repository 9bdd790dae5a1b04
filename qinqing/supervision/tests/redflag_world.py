"""Cases for the red flag tests, with the times, amounts and people each flag looks
at chosen by the test (the services stamp 'now'): a 市发改委 policy inside the 派驻
group's reach and a 市商务局 policy outside it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.integrity.models import RelationDeclaration, RelationKind
from qinqing.policies.models import (
    Case,
    CaseOrigin,
    CaseStatus,
    CaseStep,
    Policy,
    PolicyMode,
    StepKind,
    StepOutcome,
)
from qinqing.policies.tests.factories import make_policy
from qinqing.policies.tests.workflow import THREE_STEPS
from qinqing.supervision.redflags import Reach

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = {"since": dt.date(2026, 1, 1), "until": dt.date(2026, 12, 31)}
_numbers = itertools.count(1)

# A small-enterprise R&D award: 10% of the R&D expense, at most 500,000 by the formula
# and 300,000 per enterprise by the policy; for enterprises of at most 100 staff whose
# R&D expense is under 2,000,000.
RD_RULE: dict[str, Any] = {
    "facts": {
        "rd_expense": {"type": "money", "label": {"zh-hans": "研发费用", "en": "R&D expense"}},
        "staff": {"type": "int", "label": {"zh-hans": "职工人数", "en": "Staff"}},
    },
    "conditions": {
        "all": [
            {"attr": "status", "op": "eq", "value": "active"},
            {"fact": "staff", "op": "le", "value": 100},
            {"fact": "rd_expense", "op": "lt", "value": "2000000"},
        ]
    },
    "award": {"kind": "rate", "fact": "rd_expense", "rate": "0.1", "cap": "500000"},
}


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


# Monday 2 March 2026, 09:00: when the cases are submitted unless told otherwise.
MONDAY_MORNING = beijing(2026, 3, 2, 9, 0)


@dataclass
class FlagWorld:
    city: Any
    policy: Policy
    other_policy: Policy
    officer: User
    officer_b: User
    head: User

    def reach(self, user: Any = None, **kwargs: Any) -> Reach:
        return Reach(user=user or self.city.supervisor, **{**YEAR, **kwargs})

    def enterprise(self, account: str = "", **fields: Any) -> Enterprise:
        return EnterpriseFactory(region=self.city.district, bank_account_number=account, **fields)

    def case(
        self,
        enterprise: Enterprise,
        *,
        policy: Policy | None = None,
        submitted: dt.datetime = MONDAY_MORNING,
        decided: dt.datetime | None = None,
        status: str = CaseStatus.IN_REVIEW,
        award_computed: str = "100000",
        facts: dict[str, Any] | None = None,
    ) -> Case:
        policy = policy or self.policy
        n = next(_numbers)
        computed = Decimal(award_computed)
        cap = policy.cap_per_enterprise
        award = min(computed, cap) if cap is not None else computed
        return Case.objects.create(
            reference=f"ZC2026T{n:05d}",
            policy=policy,
            version=policy.versions.order_by("-number").first(),
            enterprise=enterprise,
            organisation=policy.department,
            period=f"T{n}",
            origin=CaseOrigin.APPLICATION,
            status=status,
            award_computed=computed,
            award=award,
            facts=facts or {},
            submitted_at=submitted,
            decided_at=decided,
        )

    def approved(self, enterprise: Enterprise, *, hours: float, **kwargs: Any) -> Case:
        """A case approved `hours` after its submission (on 2 March 2026, 09:00)."""
        submitted = kwargs.pop("submitted", MONDAY_MORNING)
        return self.case(
            enterprise,
            submitted=submitted,
            decided=submitted + dt.timedelta(hours=hours),
            status=CaseStatus.PAID,
            **kwargs,
        )

    def decide(
        self,
        case: Case,
        *,
        actor: User,
        at: dt.datetime,
        position: int = 0,
        outcome: str = StepOutcome.APPROVED,
    ) -> CaseStep:
        key = ("accept", "recheck", "disburse")[position % 3]
        return CaseStep.objects.create(
            case=case,
            organisation=case.organisation,
            position=position,
            attempt=1,
            key=key,
            kind=StepKind.PAYMENT if key == "disburse" else StepKind.REVIEW,
            role="officer",
            limit_days=2,
            started_at=at - dt.timedelta(hours=1),
            due_date=(at + dt.timedelta(days=3)).date(),
            ended_at=at,
            outcome=outcome,
            actor=actor,
        )

    def declare(
        self,
        official: User,
        enterprise: Enterprise,
        *,
        declared: dt.datetime,
        ended: dt.datetime | None = None,
        kind: str = RelationKind.RELATIVE_SHAREHOLDER,
    ) -> RelationDeclaration:
        return RelationDeclaration.objects.create(
            official=official,
            enterprise=enterprise,
            kind=kind,
            declared_at=declared,
            ended_at=ended,
            ended_reason="转让股份" if ended else "",
        )


@pytest.fixture
def flag_world(city: Any) -> FlagWorld:
    officer_b = give_role(
        UserFactory(username="officer-b", display_name="李四"), Role.OFFICER, organisation=city.drc
    )
    city.officer.display_name = "张三"
    city.officer.save(update_fields=["display_name"])
    policy = make_policy(
        actor=city.officer,
        department=city.drc,
        publish=True,
        title="中小企业研发费用补助",
        rule=RD_RULE,
        mode=PolicyMode.APPLICATION,
        steps=THREE_STEPS,
        cap_per_enterprise=Decimal("300000"),
    )
    other_policy = make_policy(
        actor=city.other_officer,
        department=city.commerce,
        publish=True,
        title="商务局研发补助",
        rule=RD_RULE,
        mode=PolicyMode.APPLICATION,
        steps=THREE_STEPS,
        cap_per_enterprise=Decimal("300000"),
    )
    return FlagWorld(
        city=city,
        policy=policy,
        other_policy=other_policy,
        officer=city.officer,
        officer_b=officer_b,
        head=city.head,
    )

"""A case like the demo's, walked through every part a dossier prints: a 3A scenic spot
confirms its 600,000-yuan invitation, is asked for a document and answers, the officer
and the head approve, a member of the public objects during the notice and another
officer dismisses it, the notice ends, a third officer orders the payment and the
simulated treasury pays it."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.models import Case, CaseReturn, CaseStatus, CaseStep, Invitation, Objection, Policy
from qinqing.policies.services.cases import (
    case_answer,
    case_approve,
    case_return,
    invitation_confirm,
    notices_close,
    objection_decide,
    objection_lodge,
)
from qinqing.policies.services.matching import policy_match

from .factories import make_policy
from .rules_examples import SCENIC_AWARD
from .workflow import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
FOUR_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "recheck", "role": "department_head", "kind": "review", "limit": 3},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 5},
    {"key": "disburse", "role": "officer", "kind": "payment", "limit": 1},
]
CLAUSE_URL = "https://www.quanzhou.gov.cn/zwgk/zfwj/qzwj/202303/t20230315_2851234.htm"
CLAUSE_TEXT = "第五条：新评为国家3A级旅游景区的，奖励60万元。"
BASIS_URL = "https://www.quanzhou.gov.cn/zwgk/zfwj/qzwj/202303/"
RULE: dict[str, Any] = copy.deepcopy(SCENIC_AWARD)
RULE["conditions"]["all"][2]["clause"] = {
    "document": "泉政文〔2023〕15号",
    "text": CLAUSE_TEXT,
    "url": CLAUSE_URL,
}

# Officials' names, each distinctive, so a copy can be searched for them.
NAMES = {"officer": "王建国", "head": "李淑芬", "officer_b": "陈志强", "officer_c": "林晓燕"}
RETURN_REQUEST = "请补充景区等级评定公告扫描件"
RETURN_ANSWER = "已补充泉州市文旅局评定公告"
APPROVE_COMMENT = "材料齐全同意受理"
OBJECTION_TEXT = "该景区评定时间存疑请核实"
OBJECTION_CONTACT = "13812345678"
OBJECTION_REPLY = "经核实评定公告真实有效"


@dataclass
class PaidCase:
    world: World
    policy: Policy
    case: Case
    objection: Objection
    officer_c: User

    @property
    def instruction(self) -> PaymentInstruction:
        return PaymentInstruction.objects.get(source_id=str(self.case.pk))

    def steps(self) -> list[CaseStep]:
        return list(CaseStep.objects.filter(case=self.case).order_by("position", "attempt"))


def scenic_policy(world: World, **overrides: Any) -> Policy:
    fields: dict[str, Any] = {
        "actor": world.officer,
        "department": world.city.drc,
        "publish": True,
        "steps": FOUR_STEPS,
        "rule": RULE,
        "cap_per_enterprise": Decimal("2000000"),
        "basis_url": BASIS_URL,
        "valid_until": timezone.localdate().replace(month=12, day=31),
        "budget_total": Decimal("5000000"),
    }
    fields.update(overrides)
    return make_policy(**fields)


def confirmed(world: World, policy: Policy) -> Case:
    policy_match(actor=world.officer, policy=policy)
    invitation = Invitation.objects.get(policy=policy, enterprise=world.spot)
    return invitation_confirm(actor=world.spot_user, invitation=invitation)


@pytest.fixture
def paid_case(world: World) -> PaidCase:
    officer_c = give_role(UserFactory(username="officer-c"), Role.OFFICER, organisation=world.city.drc)
    for attr, name in NAMES.items():
        user = officer_c if attr == "officer_c" else getattr(world, attr)
        User.objects.filter(pk=user.pk).update(display_name=name)
        user.display_name = name
    policy = scenic_policy(world)
    case = confirmed(world, policy)
    case = case_return(actor=world.officer, case=case, request=RETURN_REQUEST)
    case = case_answer(actor=world.spot_user, case=case, answer=RETURN_ANSWER)
    case = case_approve(actor=world.officer, case=case, comment=APPROVE_COMMENT)
    case = case_approve(actor=world.head, case=case)
    objection = objection_lodge(actor=None, case=case, text=OBJECTION_TEXT, contact=OBJECTION_CONTACT)
    objection_decide(actor=officer_c, objection=objection, uphold=False, reply=OBJECTION_REPLY)
    notice = CaseStep.objects.get(case=case, kind="notice")
    assert notices_close(today=notice.due_date + dt.timedelta(days=1)) == 1
    case.refresh_from_db()
    case = case_approve(actor=world.officer_b, case=case)
    payment_send(instruction_id=PaymentInstruction.objects.get(source_id=str(case.pk)).pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    _spread_over_march(case)
    case.refresh_from_db()
    objection.refresh_from_db()
    return PaidCase(world=world, policy=policy, case=case, objection=objection, officer_c=officer_c)


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


# When each step started, was due and ended (Beijing time). Acceptance ended 20 minutes
# after midnight, Beijing time: on 4 March in UTC, its due date, but on 5 March in
# China, a day late. The notice ends by itself the night after its period.
TIMES = {
    "accept": (beijing(2026, 3, 2, 9, 15), dt.date(2026, 3, 4), beijing(2026, 3, 5, 0, 20)),
    "recheck": (beijing(2026, 3, 5, 0, 20), dt.date(2026, 3, 10), beijing(2026, 3, 5, 10, 5)),
    "notice": (beijing(2026, 3, 5, 10, 5), dt.date(2026, 3, 12), beijing(2026, 3, 13, 0, 10)),
    "disburse": (beijing(2026, 3, 13, 0, 10), dt.date(2026, 3, 16), beijing(2026, 3, 13, 9, 10)),
}
RETURN_ASKED, RETURN_ANSWERED = beijing(2026, 3, 2, 10, 0), beijing(2026, 3, 3, 14, 20)
OBJECTION_LODGED, OBJECTION_DECIDED = beijing(2026, 3, 6, 11, 0), beijing(2026, 3, 9, 9, 30)
INSTRUCTED, SENT, PAID = (
    beijing(2026, 3, 13, 9, 10),
    beijing(2026, 3, 13, 9, 10, 5),
    beijing(2026, 3, 13, 9, 11),
)


def _spread_over_march(case: Case) -> None:
    """The services stamp 'now': give the case the days of a real one (the audit trail
    keeps its own times; it is append-only)."""
    for key, (started, due, ended) in TIMES.items():
        CaseStep.objects.filter(case=case, key=key).update(started_at=started, due_date=due, ended_at=ended)
    CaseReturn.objects.filter(case=case).update(requested_at=RETURN_ASKED, answered_at=RETURN_ANSWERED)
    Objection.objects.filter(case=case).update(
        lodged_at=OBJECTION_LODGED, handled_at=OBJECTION_DECIDED, due_date=dt.date(2026, 3, 13)
    )
    PaymentInstruction.objects.filter(source_id=str(case.pk)).update(
        created_at=INSTRUCTED, sent_at=SENT, settled_at=PAID
    )
    Case.objects.filter(pk=case.pk).update(
        submitted_at=TIMES["accept"][0], decided_at=INSTRUCTED, paid_at=PAID, notice_until=TIMES["notice"][1]
    )

"""A hypothesis state machine over random actions on a few cases, by random people,
with a treasury that misbehaves. After every step:

- only the moves declared in CASE_TRANSITIONS happened;
- no money is ordered without every step approved, and the payer is never an approver
  (no person acts twice on one case);
- the budget reserved equals the cases' reservations and never exceeds the budget;
- the treasury never holds two transfers for one key.
"""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.common.errors import ApplicationError
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.payments import services as payments
from qinqing.payments.models import PaymentInstruction, TreasuryMode, TreasuryTransfer
from qinqing.policies.models import (
    CASE_TRANSITIONS,
    Case,
    CaseStatus,
    CaseStep,
    Invitation,
    Objection,
    ObjectionStatus,
    Policy,
    StepOutcome,
)
from qinqing.policies.services import cases as flow
from qinqing.policies.services.matching import policy_match

from .factories import make_policy
from .workflow import THREE_STEPS, World, scenic_spot

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)


def test_random_walks_keep_the_rules(world: World) -> None:
    officials = [
        world.officer,
        world.officer_b,
        give_role(UserFactory(), Role.OFFICER, organisation=world.city.drc),
        world.head,
        give_role(UserFactory(), Role.DEPARTMENT_HEAD, organisation=world.city.drc),
        world.city.other_officer,  # another department: always refused
        world.city.supervisor,  # reads only: always refused
    ]
    TreasuryMode.objects.update_or_create(
        pk=1,
        defaults={
            "behaviour": "random",
            "fail_rate": Decimal("0.15"),
            "timeout_rate": Decimal("0.2"),
            "duplicate_rate": Decimal("0.2"),
            "unavailable_rate": Decimal("0.1"),
        },
    )

    class Walk(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.policy = make_policy(
                actor=world.officer,
                department=world.city.drc,
                publish=True,
                code=f"walk-{next(_codes)}",
                steps=THREE_STEPS,
                budget_total=Decimal("1200000"),
            )
            self.users = []
            spots = []
            for _ in range(3):
                spots.append(scenic_spot(EnterpriseFactory(region=world.city.district)))
                self.users.append(give_role(UserFactory(), Role.ENTERPRISE, enterprise=spots[-1]))
            # Matching also invites the spots of earlier walks: this walk plays its own three.
            policy_match(actor=world.officer, policy=self.policy)
            self.invitations = list(
                Invitation.objects.filter(policy=self.policy, enterprise__in=spots).order_by("pk")
            )

        # --- helpers ---
        def _cases(self) -> list[Case]:
            return list(Case.objects.filter(policy=self.policy).order_by("pk"))  # this walk's only

        def _case(self, i: int) -> Case | None:
            cases = self._cases()
            return cases[i % len(cases)] if cases else None

        def _user_of(self, case: Case) -> Any:
            return next(u for u in self.users if case.enterprise_id in _enterprise_ids(u))

        def _do(self, action: Any) -> None:
            before = dict(Case.objects.filter(policy=self.policy).values_list("pk", "status"))
            with contextlib.suppress(ApplicationError):  # refusals are part of the walk
                action()
            after = dict(Case.objects.filter(policy=self.policy).values_list("pk", "status"))
            for pk, status in after.items():
                old = before.get(pk)
                if old is not None and old != status:
                    assert status in CASE_TRANSITIONS[old], (old, status)

        # --- actions ---
        @rule(i=st.integers(0, 2))
        def confirm(self, i: int) -> None:
            invitation = self.invitations[i % len(self.invitations)]
            user = next(u for u in self.users if invitation.enterprise_id in _enterprise_ids(u))
            self._do(lambda: flow.invitation_confirm(actor=user, invitation=invitation))

        @rule(i=st.integers(0, 5), who=st.integers(0, len(officials) - 1))
        def approve(self, i: int, who: int) -> None:
            case = self._case(i)
            if case is not None:
                self._do(lambda: flow.case_approve(actor=officials[who], case=case))

        @rule(i=st.integers(0, 5), who=st.integers(0, len(officials) - 1))
        def reject(self, i: int, who: int) -> None:
            case = self._case(i)
            if case is not None:
                self._do(lambda: flow.case_reject(actor=officials[who], case=case, reason="材料不符"))

        @rule(i=st.integers(0, 5), who=st.integers(0, len(officials) - 1))
        def send_back(self, i: int, who: int) -> None:
            case = self._case(i)
            if case is not None:
                self._do(lambda: flow.case_return(actor=officials[who], case=case, request="请补充"))

        @rule(i=st.integers(0, 5))
        def answer(self, i: int) -> None:
            case = self._case(i)
            if case is not None:
                self._do(lambda: flow.case_answer(actor=self._user_of(case), case=case, answer="已补充"))

        @rule(i=st.integers(0, 5))
        def withdraw(self, i: int) -> None:
            case = self._case(i)
            if case is not None:
                self._do(lambda: flow.case_withdraw(actor=self._user_of(case), case=case))

        @rule(i=st.integers(0, 5))
        def appeal(self, i: int) -> None:
            case = self._case(i)
            if case is not None:
                self._do(lambda: flow.objection_lodge(actor=self._user_of(case), case=case, text="不服"))

        @rule(i=st.integers(0, 5), who=st.integers(0, len(officials) - 1), uphold=st.booleans())
        def decide(self, i: int, who: int, uphold: bool) -> None:
            case = self._case(i)
            objection = (
                Objection.objects.filter(case=case, status=ObjectionStatus.OPEN).first() if case else None
            )
            if objection is not None:
                self._do(
                    lambda: flow.objection_decide(
                        actor=officials[who], objection=objection, uphold=uphold, reply="复查"
                    )
                )

        @rule(i=st.integers(0, 5))
        def pay(self, i: int) -> None:
            case = self._case(i)
            instruction = PaymentInstruction.objects.filter(source_id=str(case.pk)).first() if case else None
            if instruction is not None:
                self._do(lambda: payments.payment_send(instruction_id=instruction.pk))

        @rule(i=st.integers(0, 5), who=st.integers(0, len(officials) - 1))
        def retry_payment(self, i: int, who: int) -> None:
            case = self._case(i)
            if case is not None:
                self._do(lambda: flow.case_payment_retry(actor=officials[who], case=case))

        # --- invariants ---
        @invariant()
        def budget_holds(self) -> None:
            policy = Policy.objects.get(pk=self.policy.pk)
            reserved = Case.objects.filter(policy=policy).aggregate(t=Sum("reserved"))["t"] or Decimal("0")
            assert policy.budget_reserved == reserved <= policy.budget_total

        @invariant()
        def money_only_after_every_approval_by_different_people(self) -> None:
            for case in self._cases():
                steps = list(CaseStep.objects.filter(case=case).order_by("position", "attempt"))
                actors = [s.actor_id for s in steps if s.actor_id is not None]
                assert len(actors) == len(set(actors)), "someone acted twice on one case"
                ordered = PaymentInstruction.objects.filter(source_id=str(case.pk)).exists()
                if ordered or case.status in (CaseStatus.PAYING, CaseStatus.PAID, CaseStatus.PAYMENT_FAILED):
                    assert ordered
                    last = {s.position: s for s in steps}  # the latest attempt of each step
                    assert sorted(last) == list(range(len(case.steps_plan)))
                    assert all(s.outcome == StepOutcome.APPROVED for s in last.values())
                    assert case.reserved == case.award
                if case.status == CaseStatus.PAID:
                    assert case.paid_at is not None

        @invariant()
        def never_paid_twice(self) -> None:
            assert not TreasuryTransfer.objects.values("key").annotate(n=Count("id")).filter(n__gt=1).exists()

    run_state_machine_as_test(
        Walk,
        settings=settings(
            max_examples=8,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def _enterprise_ids(user: Any) -> set[int]:
    return set(user.role_assignments.filter(role=Role.ENTERPRISE).values_list("enterprise_id", flat=True))

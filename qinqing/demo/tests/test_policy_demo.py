"""The demo's policies, its months of cases and the headline story, as loaded by
`seed_demo` through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.demo.catalogue import ANNOUNCED, SCENIC_POLICY, TOPPED_UP
from qinqing.demo.clock import demo_clock
from qinqing.demo.seeding import DEMO_USERS, SCENIC_SPOT_CODE, STORY_OFFICIALS, logins
from qinqing.payments.models import PaymentInstruction
from qinqing.payments.services import payment_send
from qinqing.policies.models import (
    Case,
    CaseStatus,
    Invitation,
    InvitationStatus,
    Objection,
    ObjectionKind,
    ObjectionStatus,
    Policy,
    PolicyMode,
    PolicyStatus,
)
from qinqing.policies.services.cases import (
    case_approve,
    invitation_confirm,
    open_step,
    payment_key,
    step_refusal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city() -> None:
    call_command("seed_demo")


def _user(name: str) -> User:
    return User.objects.get(username=name)


# Loading the demo costs tens of seconds, so one test reads the whole loaded city through
# the checks below and another walks the story.


def test_the_loaded_demo(demo_city):
    # Given the demo loaded through the services, then:
    check_about_twenty_policies_each_with_basis_budget_materials_and_steps()
    check_cases_stand_in_every_state_across_departments()
    check_paid_cases_spread_over_months_with_varied_time_to_cash()
    check_the_scenic_spot_is_invited_to_600000_yuan()


def check_about_twenty_policies_each_with_basis_budget_materials_and_steps() -> None:
    policies = list(Policy.objects.select_related("department"))
    assert 18 <= len(policies) <= 24
    assert {p.status for p in policies} == {PolicyStatus.PUBLISHED}
    assert {p.mode for p in policies} == {PolicyMode.PROACTIVE, PolicyMode.APPLICATION}
    for policy in policies:
        assert policy.basis_number and policy.basis_text, policy.code
        assert policy.budget_total > 0 and policy.cap_per_enterprise, policy.code
        assert policy.materials, policy.code
        if policy.code != ANNOUNCED:
            assert policy.valid_from <= timezone.localdate() <= policy.valid_until, policy.code
        assert policy.budget_reserved <= policy.budget_total
    # Later in the year: one budget topped up (an amendment with its reason), one policy
    # announced ahead of its window.
    topped = Policy.objects.get(code=TOPPED_UP)
    amended = topped.versions.get(number=2)
    assert amended.note and amended.terms["budget_total"] == f"{topped.budget_total:.2f}"
    assert topped.versions.get(number=1).terms["budget_total"] != amended.terms["budget_total"]
    assert Policy.objects.get(code=ANNOUNCED).valid_from > timezone.localdate()
    scenic = Policy.objects.get(code=SCENIC_POLICY)
    assert scenic.department.code == "wlj"
    assert [s["key"] for s in scenic.steps] == ["accept", "review", "disburse"]
    assert "notice" not in {s["kind"] for s in scenic.steps}
    # Every department issuing a policy has three officers and a head (four eyes).
    for department_id in {p.department_id for p in policies}:
        holders = RoleAssignment.objects.filter(organisation_id=department_id)
        assert holders.filter(role=Role.OFFICER).count() >= 3
        assert holders.filter(role=Role.DEPARTMENT_HEAD).count() >= 1


def check_cases_stand_in_every_state_across_departments() -> None:
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    waiting_at = {open_step(c).key for c in Case.objects.filter(status=CaseStatus.IN_REVIEW)}  # type: ignore[union-attr]
    assert {"accept", "review", "recheck", "notice", "disburse"} <= waiting_at
    assert len(set(Case.objects.values_list("organisation_id", flat=True))) == 6
    # A public notice with an open objection, an appeal waiting, one dismissed.
    assert Case.objects.filter(
        status=CaseStatus.IN_REVIEW,
        objections__kind=ObjectionKind.NOTICE,
        objections__status=ObjectionStatus.OPEN,
    ).exists()
    assert Case.objects.filter(status=CaseStatus.APPEALED, objections__status=ObjectionStatus.OPEN).exists()
    # Each open objection has an official who answers for it and a deadline.
    open_objections = Objection.objects.filter(status=ObjectionStatus.OPEN)
    assert open_objections.exists()
    assert not open_objections.filter(Q(assignee=None) | Q(deadline=None) | Q(due_date=None)).exists()
    assert Case.objects.filter(
        status=CaseStatus.REJECTED, objections__status=ObjectionStatus.DISMISSED
    ).exists()
    # Some steps are overdue, for the supervision pages.
    today = timezone.localdate()
    overdue = [c for c in Case.objects.filter(status=CaseStatus.IN_REVIEW) if open_step(c).due_date < today]  # type: ignore[union-attr]
    assert overdue
    # Failed payments are failed at the treasury; paying ones wait for the worker.
    assert (
        PaymentInstruction.objects.filter(status="failed").count()
        == Case.objects.filter(status=CaseStatus.PAYMENT_FAILED).count()
    )


def check_paid_cases_spread_over_months_with_varied_time_to_cash() -> None:
    paid = list(Case.objects.filter(status=CaseStatus.PAID))
    assert len(paid) >= 20
    submitted = sorted(c.submitted_at for c in paid)
    assert submitted[-1] - submitted[0] > dt.timedelta(days=90)
    assert all(c.paid_at <= timezone.now() for c in paid)
    waits = sorted(c.paid_at - c.submitted_at for c in paid)
    assert waits[0] < dt.timedelta(days=1)  # the scenic award, the same day
    assert waits[-1] > dt.timedelta(days=14)
    # Each paid case's money is in the treasury's ledger once.
    assert PaymentInstruction.objects.filter(status="settled").count() == len(paid)


def check_the_scenic_spot_is_invited_to_600000_yuan() -> None:
    invitation = Invitation.objects.get(policy__code=SCENIC_POLICY, enterprise__credit_code=SCENIC_SPOT_CODE)
    assert invitation.status == InvitationStatus.OPEN
    assert invitation.award == Decimal("600000.00")
    assert not Case.objects.filter(
        policy__code=SCENIC_POLICY, enterprise__credit_code=SCENIC_SPOT_CODE
    ).exists()


def test_the_story_walks_to_payment_the_same_day(demo_city):
    # Given the open invitation, when the spot's user confirms it on a phone,
    invitation = Invitation.objects.get(policy__code=SCENIC_POLICY, enterprise__credit_code=SCENIC_SPOT_CODE)
    case = invitation_confirm(actor=_user("qiye"), invitation=invitation)
    assert case.award == Decimal("600000.00")
    accept_by, review_by, pay_by = (_user(n) for n in STORY_OFFICIALS)
    # then the three officials may act, each on their step, in order, and nobody twice.
    for official, wrong in ((accept_by, review_by), (review_by, pay_by), (pay_by, accept_by)):
        case = Case.objects.get(pk=case.pk)
        step = open_step(case)
        assert step_refusal(official, case, step) is None, official.username
        assert step_refusal(wrong, case, step) is not None, wrong.username
        assert step_refusal(_user("shijiwei"), case, step) is not None
        case = case_approve(actor=official, case=case, revision=case.revision)
    assert case.status == CaseStatus.PAYING
    # And the worker's send pays it the same day.
    instruction = PaymentInstruction.objects.get(key=payment_key(case))
    assert payment_send(instruction_id=instruction.pk) == "settled"
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    assert case.paid_at - case.submitted_at < dt.timedelta(hours=1)


def test_every_demo_login_is_in_the_banner():
    names = {username for _role, username, _password in logins()}
    assert names == {u.username for u in DEMO_USERS}
    assert set(STORY_OFFICIALS) <= names


def test_the_demo_clock_moves_forward_only_and_gives_the_real_clock_back():
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    with demo_clock(start) as clock:
        first = timezone.now()
        clock.set(start - dt.timedelta(days=1))
        assert timezone.now() > first > start
        clock.set(start + dt.timedelta(days=2))
        assert timezone.now() > start + dt.timedelta(days=2)
    assert timezone.now() - dt.datetime.now(dt.UTC) < dt.timedelta(minutes=1)

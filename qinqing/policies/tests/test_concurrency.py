"""On PostgreSQL, with real concurrent connections and row locks:

- two officers approving one case at once: one transition, the other told it moved;
- 1,000 concurrent first approvals against a budget covering 100: exactly 100 reserved;
- 100 approved cases paid through a treasury that fails, times out and answers twice at
  random, with sends repeated from several threads: after reconciliation every case
  is paid, once.

Marked `postgres`: these fail (never skip) on another database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from qinqing.common.errors import ApplicationError, Conflict
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.payments import services as payments
from qinqing.payments.models import PaymentInstruction, PaymentStatus, TreasuryMode, TreasuryTransfer
from qinqing.policies.models import Case, CaseOrigin, CaseStatus, CaseStep, Invitation, Policy
from qinqing.policies.services.cases import case_approve, invitation_confirm
from qinqing.policies.services.matching import policy_match

from .workflow import THREE_STEPS, World, scenic_spot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AWARD = Decimal("600000.00")


def _require_postgres() -> None:
    assert connection.vendor == "postgresql", (
        "this test needs PostgreSQL: run it with DATABASE_URL=postgres://…"
    )


def _run_threads(n: int, target: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            target(i)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return errors


def _cases(world: World, count: int) -> list[Case]:
    """`count` 3A spots matched and confirmed through the services."""
    for _ in range(count - 1):
        spot = EnterpriseFactory(region=world.city.district, status="active")
        scenic_spot(spot)
    policy_match(actor=world.officer, policy=world.policy)
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import UserFactory, give_role

    cases = []
    for invitation in Invitation.objects.filter(policy=world.policy).select_related("enterprise"):
        user = (
            world.spot_user
            if invitation.enterprise_id == world.spot.pk
            else give_role(UserFactory(), Role.ENTERPRISE, enterprise=invitation.enterprise)
        )
        cases.append(invitation_confirm(actor=user, invitation=invitation))
    assert len(cases) == count
    return cases


def test_two_officers_approving_one_case_at_once_make_one_transition(world: World) -> None:
    _require_postgres()
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    seen = case.revision
    outcomes: list[str] = []

    def act(i: int) -> None:
        actor = (world.officer, world.officer_b)[i]
        try:
            case_approve(actor=actor, case=case, revision=seen)
            outcomes.append("approved")
        except Conflict as exc:
            outcomes.append(exc.code)

    assert _run_threads(2, act) == []
    assert sorted(outcomes) == ["approved", "case_changed"]
    case.refresh_from_db()
    assert case.current_step == 1
    assert case.revision == seen + 1
    assert case.steps.filter(outcome="approved").count() == 1


def _bulk_cases(world: World, count: int) -> list[Case]:
    """`count` cases waiting at their first step, written in bulk: this test is about the
    approvals racing, not about opening cases (test_cases.py covers that)."""
    spots = EnterpriseFactory.create_batch(count, region=world.city.district, status="active")
    version = world.policy.versions.get()
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            policy=world.policy,
            version=version,
            enterprise=spot,
            organisation=world.city.drc,
            period="once",
            origin=CaseOrigin.INVITATION,
            status=CaseStatus.IN_REVIEW,
            steps_plan=THREE_STEPS,
            award_computed=AWARD,
            award=AWARD,
            submitted_at=now,
            reference=f"BULK{n:06d}",
        )
        for n, spot in enumerate(spots)
    )
    CaseStep.objects.bulk_create(
        CaseStep(
            case=case,
            organisation=case.organisation,
            position=0,
            key="accept",
            kind="review",
            role="officer",
            limit_days=2,
            started_at=now,
            due_date=timezone.localdate() + dt.timedelta(days=3),
        )
        for case in cases
    )
    return cases


def test_a_thousand_approvals_against_a_budget_for_a_hundred(world: World) -> None:
    _require_postgres()
    Policy.objects.filter(pk=world.policy.pk).update(budget_total=AWARD * 100)
    cases = _bulk_cases(world, 1000)
    queue = iter(cases)
    lock = threading.Lock()
    outcomes: Counter[str] = Counter()

    def act(_i: int) -> None:
        while True:
            with lock:
                case = next(queue, None)
            if case is None:
                return
            try:
                case_approve(actor=world.officer, case=case)
                outcome = "approved"
            except Conflict as exc:
                outcome = exc.code
            with lock:
                outcomes[outcome] += 1

    assert _run_threads(8, act) == []
    assert outcomes == Counter({"approved": 100, "budget_exhausted": 900})
    policy = Policy.objects.get(pk=world.policy.pk)
    assert policy.budget_reserved == AWARD * 100 == policy.budget_total
    assert Case.objects.filter(policy=policy).aggregate(total=Sum("reserved"))["total"] == AWARD * 100
    assert Case.objects.filter(policy=policy, reserved__gt=0).count() == 100


def test_paid_once_whatever_the_treasury_does(world: World, settings: Any) -> None:
    _require_postgres()
    # Given 100 cases approved to the payment step
    Policy.objects.filter(pk=world.policy.pk).update(budget_total=AWARD * 100)
    cases = _cases(world, 100)
    for case in cases:
        case = case_approve(actor=world.officer, case=case)
        case = case_approve(actor=world.head, case=case)
        case_approve(actor=world.officer_b, case=case)
    ids = list(PaymentInstruction.objects.values_list("pk", flat=True))
    assert len(ids) == 100
    # When 2,000 sends race from 8 threads against a misbehaving treasury
    TreasuryMode.objects.update_or_create(
        pk=1,
        defaults={
            "behaviour": "random",
            "fail_rate": Decimal("0"),
            "timeout_rate": Decimal("0.25"),
            "duplicate_rate": Decimal("0.25"),
            "unavailable_rate": Decimal("0.1"),
        },
    )
    calls = iter(range(2000))
    lock = threading.Lock()

    def send(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311
        while True:
            with lock:
                n = next(calls, None)
            if n is None:
                return
            with contextlib.suppress(ApplicationError):  # a refusal is a correct answer here
                payments.payment_send(instruction_id=rng.choice(ids))

    assert _run_threads(8, send) == []
    # and the treasury recovers and reconciliation runs after every lease ran out
    TreasuryMode.objects.filter(pk=1).update(behaviour="normal")
    later = timezone.now() + payments.lease_duration() + dt.timedelta(seconds=1)
    for _round in range(10):
        payments.payments_reconcile(now=later)
        for pk in PaymentInstruction.objects.filter(status=PaymentStatus.PENDING).values_list(
            "pk", flat=True
        ):
            payments.payment_send(instruction_id=pk, now=later)
        if not PaymentInstruction.objects.filter(status__in=PaymentInstruction.OPEN).exists():
            break
    # Then every case is paid, and no key reached the treasury twice
    assert Counter(Case.objects.filter(policy=world.policy).values_list("status", flat=True)) == Counter(
        {CaseStatus.PAID: 100}
    )
    assert list(TreasuryTransfer.objects.values("key").annotate(n=Count("id")).filter(n__gt=1)) == []
    assert TreasuryTransfer.objects.count() == 100
    assert Case.objects.filter(policy=world.policy, paid_at__isnull=True).count() == 0

"""A hypothesis state machine over random actions on one project's obligations by
random people (both sides, the committee, other departments and zones, supervisors).
After every step:

- only the moves declared in OBLIGATION_TRANSITIONS and CLAIM_TRANSITIONS happened, and
  nobody without a right to act changed anything;
- an obligation's deadline is open if and only if it is dated and owed, and it is
  pending if and only if it has no date (unless cancelled);
- a met or partly met obligation has its met date and days early; a claimed or disputed
  one has exactly one claim in play of that state; at most one plan awaits;
- the revision grows with every change of state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from qinqing.common.errors import ApplicationError
from qinqing.contracts import services
from qinqing.contracts.models import (
    CLAIM_TRANSITIONS,
    OBLIGATION_TRANSITIONS,
    ClaimStatus,
    FulfilmentClaim,
    Obligation,
    ObligationStatus,
    ObligorSide,
    PlanStatus,
    RemedyPlan,
)
from qinqing.contracts.services.common import OWED_STATUSES
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.deadlines.scan import deadlines_scan

from .conftest import D, evidence, make_agreement, make_project

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 20)
_codes = itertools.count(1)

PEOPLE = [
    "member",
    "member_b",
    "enterprise_user",
    "officer",
    "head",
    "other_officer",
    "other_member",
    "other_enterprise_user",
    "supervisor",
    "city_supervisor",
    "admin",
]
# "right": whoever the action's rules name (the obligor, the other side, a committee
# member who did not answer), drawn often so that walks go through the whole loop.
WHO = st.sampled_from(["right"] * 8 + PEOPLE)
ACTIONS = st.sampled_from(
    ["claim"] * 4
    + ["confirm"] * 3
    + ["dispute"] * 3
    + ["decide"] * 3
    + ["withdraw", "cancel", "record_application", "change_rule"]
    + ["plan"] * 3
    + ["decide_plan"] * 3
    + ["scan"] * 2
)
# Never allowed to change anything on this project.
OUTSIDERS = {
    "other_officer",
    "other_member",
    "other_enterprise_user",
    "supervisor",
    "city_supervisor",
    "admin",
}


def test_random_walks_keep_the_rules(zone) -> None:
    progress: dict[str, int] = {}

    class Walk(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            m = zone.member
            self.project = make_project(zone.committee, m, zone.enterprise, reference=f"WALK-{next(_codes)}")
            contract = make_agreement(self.project, m, zone.committee)
            clause = services.clause_add(actor=m, contract=contract, number="1", text="双方义务")
            self.applied = services.event_declare(actor=m, project=self.project, key="permit_applied")

            def add(side: str, kind: str, rule: dict[str, Any], target: Any = None) -> Obligation:
                return services.obligation_add(
                    actor=m,
                    clause=clause,
                    obligor_side=side,
                    obligor_department=zone.department if side == ObligorSide.GOVERNMENT else None,
                    kind=kind,
                    title=kind,
                    due_rule=rule,
                    target_value=target,
                )

            delivery = add("government", "land_delivery", {"mode": "absolute", "date": D(2026, 9, 30)})
            self.ids = [
                delivery.pk,
                add("enterprise", "construction_start", {"mode": "absolute", "date": D(2026, 10, 30)}).pk,
                add(
                    "enterprise",
                    "investment",
                    {"mode": "relative", "anchor_obligation": delivery, "offset": 2, "unit": "months"},
                    target=Decimal("100"),
                ).pk,
                add(
                    "government",
                    "permit",
                    {"mode": "relative", "anchor_event": self.applied, "offset": 20, "unit": "working"},
                ).pk,
            ]

        # --- helpers ---
        def _ob(self, i: int) -> Obligation:
            return Obligation.objects.select_related("obligor_department").get(pk=self.ids[i % len(self.ids)])

        def _latest_claim(self, i: int, wanted: tuple[str, ...] = ()) -> FulfilmentClaim | None:
            """A claim in the state the action answers if there is one, else one in play,
            else the obligation's latest: answers then meet claims often enough for the
            walk to go round the loop."""
            for statuses in (wanted, (ClaimStatus.PENDING, ClaimStatus.DISPUTED)):
                found = list(
                    FulfilmentClaim.objects.filter(obligation__in=self.ids, status__in=statuses).order_by(
                        "pk"
                    )
                )
                if found:
                    return found[i % len(found)]
            return FulfilmentClaim.objects.filter(obligation=self._ob(i)).order_by("-pk").first()

        def _latest_plan(self, i: int) -> RemedyPlan | None:
            awaiting = list(
                RemedyPlan.objects.filter(obligation__in=self.ids, status=PlanStatus.SUBMITTED).order_by("pk")
            )
            if awaiting:
                return awaiting[i % len(awaiting)]
            return RemedyPlan.objects.filter(obligation=self._ob(i)).order_by("-pk").first()

        def _snapshot(self) -> tuple[dict[int, tuple[str, int]], dict[int, str]]:
            obligations = {
                pk: (status, revision)
                for pk, status, revision in Obligation.objects.filter(pk__in=self.ids).values_list(
                    "pk", "status", "revision"
                )
            }
            claims = dict(FulfilmentClaim.objects.filter(obligation__in=self.ids).values_list("pk", "status"))
            return obligations, claims

        def _right(self, action: str, ob: Obligation) -> str:
            enterprise = ob.obligor_side == ObligorSide.ENTERPRISE
            if action in ("claim", "withdraw", "plan"):
                return "enterprise_user" if enterprise else "officer"
            if action in ("confirm", "dispute"):
                return "member" if enterprise else "enterprise_user"
            if action == "decide":
                claim = FulfilmentClaim.objects.filter(obligation=ob).order_by("-pk").first()
                return (
                    "member_b" if claim is not None and claim.answered_by_id == zone.member.pk else "member"
                )
            if action == "record_application":
                return "enterprise_user"
            return "member"

        def _do(self, who: str, action: Any, *, name: str = "", ob: Obligation | None = None) -> None:
            if who == "right":
                who = self._right(name, ob) if ob is not None else "enterprise_user"
            (before, claims_before) = self._snapshot()
            plans_before = list(
                RemedyPlan.objects.filter(obligation__in=self.ids).values_list("pk", "status")
            )
            done = False
            with contextlib.suppress(ApplicationError):  # refusals are part of the walk
                action(getattr(zone, who))
                done = True
                progress[name] = progress.get(name, 0) + 1
            after, claims_after = self._snapshot()
            for pk, (status, revision) in after.items():
                old_status, old_revision = before[pk]
                if status != old_status:
                    assert status in OBLIGATION_TRANSITIONS[old_status], (old_status, status)
                    assert revision > old_revision
                assert revision >= old_revision
            for pk, status in claims_after.items():
                old = claims_before.get(pk)
                if old is not None and old != status:
                    assert status in CLAIM_TRANSITIONS[old], (old, status)
            if who in OUTSIDERS:
                assert not done, who
                assert (before, claims_before) == (after, claims_after)
                assert plans_before == list(
                    RemedyPlan.objects.filter(obligation__in=self.ids).values_list("pk", "status")
                )

        # --- the one rule: an action drawn with weights that keep walks going round the loop ---
        @rule(action=ACTIONS, i=st.integers(0, 3), who=WHO, n=st.integers(0, 90))
        def act(self, action: str, i: int, who: str, n: int) -> None:
            getattr(self, f"_{action}")(i, who, n)

        def _claim(self, i: int, who: str, n: int) -> None:
            ob = self._ob(i)
            ready = list(
                Obligation.objects.filter(
                    pk__in=self.ids, status__in=[ObligationStatus.OPEN, ObligationStatus.PARTLY_MET]
                ).order_by("pk")
            )
            if ready and n % 4:  # mostly one that can be claimed; sometimes any
                ob = ready[i % len(ready)]
            value = [None, 50, 70, 100, 120][n % 5] if ob.target_value is None or n % 7 else None
            if ob.target_value is not None and value is None and n % 7:
                value = 70
            self._do(
                who,
                lambda u: services.obligation_claim(
                    actor=u,
                    obligation=ob,
                    met_on=TODAY - dt.timedelta(days=n % 60),
                    achieved_value=value,
                    files=[evidence()],
                    today=TODAY,
                    revision=ob.revision,
                ),
                name="claim",
                ob=ob,
            )

        def _on_claim(self, i: int, who: str, name: str, call: Any) -> None:
            wanted = (ClaimStatus.DISPUTED,) if name == "decide" else (ClaimStatus.PENDING,)
            claim = self._latest_claim(i, wanted)
            if claim is not None:
                self._do(who, lambda u: call(u, claim), name=name, ob=claim.obligation)

        def _withdraw(self, i: int, who: str, n: int) -> None:
            self._on_claim(i, who, "withdraw", lambda u, c: services.claim_withdraw(actor=u, claim=c))

        def _confirm(self, i: int, who: str, n: int) -> None:
            self._on_claim(i, who, "confirm", lambda u, c: services.claim_confirm(actor=u, claim=c))

        def _dispute(self, i: int, who: str, n: int) -> None:
            self._on_claim(
                i, who, "dispute", lambda u, c: services.claim_dispute(actor=u, claim=c, reason="存疑")
            )

        def _decide(self, i: int, who: str, n: int) -> None:
            outcome = ["met", "partly_met", "not_met"][n % 3]
            self._on_claim(
                i,
                who,
                "decide",
                lambda u, c: services.claim_decide(actor=u, claim=c, outcome=outcome, reason="裁决"),
            )

        def _plan(self, i: int, who: str, n: int) -> None:
            ob = self._ob(i)
            self._do(
                who,
                lambda u: services.plan_submit(
                    actor=u,
                    obligation=ob,
                    cause="原因",
                    remedy="措施",
                    proposed_date=TODAY + dt.timedelta(days=n + 1),
                    today=TODAY,
                ),
                name="plan",
                ob=ob,
            )

        def _decide_plan(self, i: int, who: str, n: int) -> None:
            plan = self._latest_plan(i)
            if plan is not None:
                self._do(
                    who,
                    lambda u: services.plan_decide(actor=u, plan=plan, accept=bool(n % 2), reason="决定"),
                    name="decide_plan",
                    ob=plan.obligation,
                )

        def _cancel(self, i: int, who: str, n: int) -> None:
            ob = self._ob(i)
            who = who if who != "right" else PEOPLE[n % len(PEOPLE)]  # rarely the committee
            self._do(
                who,
                lambda u: services.obligation_cancel(actor=u, obligation=ob, reason="取消"),
                name="cancel",
                ob=ob,
            )

        def _record_application(self, i: int, who: str, n: int) -> None:
            on = TODAY - dt.timedelta(days=n)
            self._do(
                who,
                lambda u: services.event_record(
                    actor=u, project=self.project, key="permit_applied", occurred_on=on
                ),
                name="record_application",
            )

        def _change_rule(self, i: int, who: str, n: int) -> None:
            ob = self._ob(i)
            rule = {"mode": "absolute", "date": TODAY + dt.timedelta(days=n - 45)}
            self._do(
                who,
                lambda u: services.obligation_change_rule(
                    actor=u, obligation=ob, due_rule=rule, reason="调整"
                ),
                name="change_rule",
                ob=ob,
            )

        def _scan(self, i: int, who: str, n: int) -> None:
            deadlines_scan(today=TODAY + dt.timedelta(days=n - 60))

        # --- invariants ---
        @invariant()
        def deadline_open_iff_dated_and_owed(self) -> None:
            for ob in Obligation.objects.filter(pk__in=self.ids):
                open_deadlines = Deadline.objects.filter(
                    object_type="contracts.obligation", object_id=str(ob.pk), status=DeadlineStatus.OPEN
                )
                owed = ob.due_date is not None and ob.status in OWED_STATUSES and ob.met_on is None
                assert open_deadlines.exists() == owed, (ob.status, ob.due_date, ob.met_on)
                if owed:
                    assert open_deadlines.get().pk == ob.deadline_id
                    assert open_deadlines.get().due_date == ob.due_date
                if ob.status != ObligationStatus.CANCELLED:
                    assert (ob.status == ObligationStatus.PENDING) == (ob.due_date is None)

        @invariant()
        def settled_and_claimed_states_are_consistent(self) -> None:
            for ob in Obligation.objects.filter(pk__in=self.ids):
                in_play = list(
                    FulfilmentClaim.objects.filter(
                        obligation=ob, status__in=[ClaimStatus.PENDING, ClaimStatus.DISPUTED]
                    ).values_list("status", flat=True)
                )
                if ob.status in (ObligationStatus.MET, ObligationStatus.PARTLY_MET):
                    assert ob.met_on is not None and ob.due_date is not None
                    # Judged against the contract's date, not a remedy plan's.
                    assert ob.original_due_date is not None
                    assert (
                        ob.days_early == (ob.original_due_date - ob.met_on).days
                        or ob.status == ObligationStatus.MET
                    )
                    assert in_play == []
                if ob.status == ObligationStatus.CLAIMED:
                    assert in_play == [ClaimStatus.PENDING]
                elif ob.status == ObligationStatus.DISPUTED:
                    assert in_play == [ClaimStatus.DISPUTED]
                else:
                    assert in_play == []
                assert RemedyPlan.objects.filter(obligation=ob, status=PlanStatus.SUBMITTED).count() <= 1
                # The contract's date beside the due date: only an accepted plan sets them apart,
                # and only later.
                if ob.due_date is not None:
                    assert ob.original_due_date is not None and ob.original_due_date <= ob.due_date
                    if not RemedyPlan.objects.filter(obligation=ob, status=PlanStatus.ACCEPTED).exists():
                        assert ob.original_due_date == ob.due_date

    run_state_machine_as_test(
        Walk,
        settings=settings(
            max_examples=8,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The walks went through the loop, not only through refusals.
    assert {"claim", "confirm", "dispute", "decide", "plan", "decide_plan"} <= set(progress), progress

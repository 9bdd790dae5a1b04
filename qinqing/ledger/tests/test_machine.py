"""A hypothesis state machine over random actions on a few problems by random people
(the reporter, both officers and the head, another department, the supervising group,
the commission, a supervisor of another group, the admin, an outsider). After every step:

- the history rows chain: each row starts where the previous one ended, and every move
  is one PROBLEM_TRANSITIONS allows; nobody without a right to act changed anything;
- a problem's deadline is open exactly while the problem is with a department
  (assigned, being rectified, submitted, withdrawal asked), and paused exactly while it
  waits for the supervising group;
- an outcome exactly on verified and closed problems; a closed problem passed a
  verification and a return visit that said fixed; a merged one names its original;
- the revision grows with every change of state.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.common.errors import ApplicationError
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.ledger import ladders, services
from qinqing.ledger.models import (
    PROBLEM_TRANSITIONS,
    Outcome,
    Problem,
    ProblemStatus,
    ReferralLevel,
    ReturnVisitMode,
)

from .conftest import complaint, pdf

pytestmark = pytest.mark.django_db

_names = itertools.count(1)

WITH_DEPARTMENT = {
    ProblemStatus.ASSIGNED,
    ProblemStatus.RECTIFYING,
    ProblemStatus.SUBMITTED,
    ProblemStatus.WITHDRAWAL_REQUESTED,
}
WAITING_FOR_GROUP = {ProblemStatus.SUBMITTED, ProblemStatus.WITHDRAWAL_REQUESTED}

PEOPLE = [
    "reporter",
    "officer",
    "officer2",
    "head",
    "other_officer",
    "group",
    "commission",
    "other_group",
    "admin",
    "outsider",
]
# People who may never change anything on these problems.
OUTSIDERS = {"other_officer", "other_group", "admin", "outsider"}
# The loop's actions weighted up, the ones that end a problem down, so that walks go
# through the whole loop.
ACTIONS = (
    ["assign"] * 4
    + ["progress"] * 2
    + ["submit"] * 4
    + ["verify"] * 4
    + ["verify_partly", "send_back", "send_back"]
    + ["visit_fixed"] * 3
    + ["visit_not_fixed", "visit_by_phone", "reopen", "request_withdrawal", "check_agrees", "check_refuses"]
    + ["withdraw", "merge", "refer"]
)
# Whoever the action's rules name, drawn often.
RIGHT = {
    "assign": "commission",
    "progress": "officer",
    "submit": "officer2",
    "verify": "group",
    "verify_partly": "group",
    "send_back": "group",
    "visit_fixed": "reporter",
    "visit_not_fixed": "reporter",
    "visit_by_phone": "group",
    "reopen": "reporter",
    "withdraw": "reporter",
    "request_withdrawal": "head",
    "check_agrees": "group",
    "check_refuses": "group",
    "merge": "commission",
    "refer": "commission",
}
WHO = st.sampled_from(["right"] * 6 + PEOPLE)


def test_random_walks_keep_the_rules(ledger) -> None:
    c = ledger.city
    other_dept = OrganisationFactory(code=f"m-other-{next(_names)}", name="市住建局", parent=c.city)
    other_group = OrganisationFactory(
        code=f"m-grp-{next(_names)}", name="派驻第二纪检监察组", kind="supervision_group", parent=c.commission
    )
    other_group.supervised.set([other_dept])
    people: dict[str, Any] = {
        "reporter": c.enterprise_user,
        "officer": c.officer,
        "officer2": ledger.officer2,
        "head": c.head,
        "other_officer": give_role(UserFactory(), Role.OFFICER, organisation=other_dept),
        "group": c.supervisor,
        "commission": c.city_supervisor,
        "other_group": give_role(UserFactory(), Role.SUPERVISOR, organisation=other_group),
        "admin": c.admin,
        "outsider": ledger.outsider,
    }
    seen_moves: set[tuple[str, str]] = set()

    class Walk(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.problems = [complaint(ledger, title=f"问题{next(_names)}") for _ in range(3)]
            self.revisions = {p.pk: p.revision for p in self.problems}

        def _act(self, action: str, who: str, problem: Problem, other: Problem) -> None:
            user = people[RIGHT[action] if who == "right" else who]
            who = RIGHT[action] if who == "right" else who
            calls = {
                "assign": lambda: services.problem_assign(
                    actor=user, problem=problem, department=c.drc, deadline_days=5
                ),
                "progress": lambda: services.problem_progress(actor=user, problem=problem, text="进展"),
                "submit": lambda: services.problem_submit(
                    actor=user, problem=problem, text="已整改", files=[pdf()]
                ),
                "verify": lambda: services.problem_verify(actor=user, problem=problem),
                "verify_partly": lambda: services.problem_verify(
                    actor=user, problem=problem, outcome=Outcome.PARTLY_FIXED, text="部分整改"
                ),
                "send_back": lambda: services.problem_send_back(
                    actor=user, problem=problem, reason="证据不足"
                ),
                "visit_fixed": lambda: services.problem_return_visit(
                    actor=user, problem=problem, score=5, fixed=True
                ),
                "visit_not_fixed": lambda: services.problem_return_visit(
                    actor=user, problem=problem, score=1, fixed=False, comment="仍未解决"
                ),
                "visit_by_phone": lambda: services.problem_return_visit(
                    actor=user, problem=problem, score=4, fixed=True, mode=ReturnVisitMode.PHONE
                ),
                "reopen": lambda: services.problem_reopen(actor=user, problem=problem, reason="又出现了"),
                "withdraw": lambda: services.problem_withdraw(actor=user, problem=problem),
                "request_withdrawal": lambda: services.problem_request_withdrawal(
                    actor=user, problem=problem, reason="企业不再需要"
                ),
                "check_agrees": lambda: services.problem_check_withdrawal(
                    actor=user, problem=problem, agrees=True
                ),
                "check_refuses": lambda: services.problem_check_withdrawal(
                    actor=user, problem=problem, agrees=False, comment="企业不同意"
                ),
                "merge": lambda: services.problem_merge(actor=user, problem=problem, into=other),
                "refer": lambda: services.problem_refer(
                    actor=user,
                    problem=problem,
                    level=ReferralLevel.PROVINCE,
                    referred_to="省厅",
                    reason="权限在省级",
                ),
            }
            before = Problem.objects.get(pk=problem.pk).revision
            try:
                calls[action]()
            except ApplicationError:
                assert Problem.objects.get(pk=problem.pk).revision == before
                return
            assert who not in OUTSIDERS, f"{who} was allowed to {action}"

        @rule(
            action=st.sampled_from(ACTIONS),
            who=WHO,
            index=st.integers(0, 2),
            other=st.integers(0, 2),
        )
        def act(self, action: str, who: str, index: int, other: int) -> None:
            self._act(action, who, self.problems[index], self.problems[other])

        @rule(index=st.integers(0, 2), fixed=st.booleans())
        def next_step_of_the_loop(self, index: int, fixed: bool) -> None:
            """The natural next step for the problem's status, by the right person."""
            problem = Problem.objects.get(pk=self.problems[index].pk)
            action = {
                ProblemStatus.REGISTERED: "assign",
                ProblemStatus.ASSIGNED: "submit",
                ProblemStatus.RECTIFYING: "submit",
                ProblemStatus.SUBMITTED: "verify",
                ProblemStatus.VERIFIED: "visit_fixed" if fixed else "visit_not_fixed",
                ProblemStatus.CLOSED: "reopen",
                ProblemStatus.WITHDRAWAL_REQUESTED: "check_refuses",
            }.get(problem.status)
            if action is not None:
                self._act(action, "right", problem, problem)

        @invariant()
        def history_chains_and_only_legal_moves(self) -> None:
            for problem in Problem.objects.filter(pk__in=[p.pk for p in self.problems]):
                rows = list(problem.transitions.order_by("at", "id").values_list("from_status", "to_status"))
                assert rows[0] == ("", ProblemStatus.REGISTERED)
                for (_a, to), (frm, nxt) in itertools.pairwise(rows):
                    assert frm == to
                    assert nxt in PROBLEM_TRANSITIONS[frm], (frm, nxt)
                    seen_moves.add((frm, nxt))
                assert rows[-1][1] == problem.status

        @invariant()
        def deadline_follows_the_status(self) -> None:
            for problem in Problem.objects.filter(pk__in=[p.pk for p in self.problems]):
                open_deadlines = list(
                    Deadline.objects.filter(
                        kind=ladders.KIND, object_id=str(problem.pk), status=DeadlineStatus.OPEN
                    )
                )
                assert len(open_deadlines) == (1 if problem.status in WITH_DEPARTMENT else 0), problem.status
                if open_deadlines:
                    assert open_deadlines[0].paused == (problem.status in WAITING_FOR_GROUP)
                    assert open_deadlines[0].due_date == problem.due_date

        @invariant()
        def outcomes_and_closures_are_earned(self) -> None:
            for problem in Problem.objects.filter(pk__in=[p.pk for p in self.problems]):
                verified = problem.status in (ProblemStatus.VERIFIED, ProblemStatus.CLOSED)
                assert bool(problem.outcome) == verified
                if problem.status == ProblemStatus.CLOSED:
                    last = problem.return_visits.order_by("-at", "-id").first()
                    assert last is not None and last.fixed
                    assert problem.transitions.order_by("-at", "-id")[1].to_status == ProblemStatus.VERIFIED
                if problem.status == ProblemStatus.MERGED:
                    assert problem.duplicate_of_id is not None

        @invariant()
        def revision_grows_with_each_change(self) -> None:
            for problem in Problem.objects.filter(pk__in=[p.pk for p in self.problems]):
                assert problem.revision >= self.revisions[problem.pk]
                self.revisions[problem.pk] = problem.revision

    run_state_machine_as_test(
        Walk,
        settings=settings(
            max_examples=6,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The walks went through the loop, not just around its edges.
    assert {
        (ProblemStatus.SUBMITTED, ProblemStatus.VERIFIED),
        (ProblemStatus.VERIFIED, ProblemStatus.CLOSED),
    } <= seen_moves, sorted(seen_moves)

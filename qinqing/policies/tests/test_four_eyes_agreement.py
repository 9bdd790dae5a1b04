"""Four eyes and recusal are written three times, for speed: `services.cases.step_refusal`
(checked when an official acts), the work queue (`selectors._queue_steps` with
`_barred_cases`) and the overview's steps an official may take (`overview._may_take`,
behind the per-official figure `open_steps`). Random case histories, built through the
real services, must leave the three agreeing: for every official and every open approval
step of a case under review,

    step_refusal(official, case, step) is None
    ⇔ the step is in the official's work queue (the page's rows, its count, the API's list)
    ⇔ the overview counts it among the steps the official may take.

A history: a small tree of its own (a bureau, the department issuing the policies, a
unit below it and a sibling department), officials holding the officer or head role at
some of those nodes, up to three cases (at the department or the unit below, with or
without a public notice), and a walk of actions by random people, refusals included:
steps approved, rejected or returned for materials and answered, appeals and notice
objections decided, notices ended, relations to the enterprise declared and ended. The
three are compared before the walk and after every move that changed something; and the
run as a whole must have compared them in every situation of `SITUATIONS` (an official
who took an earlier step, returned the open one, decided an objection, holds the role
above the department...), so that a history generator that stopped reaching one fails.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings, target
from hypothesis import strategies as st

from qinqing.accounts.models import Organisation, Role, RoleAssignment, User
from qinqing.accounts.tests.factories import OrganisationFactory, UserFactory, give_role
from qinqing.common.errors import ApplicationError
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.tests.factories import EnterpriseFactory
from qinqing.integrity.models import RelationDeclaration, RelationKind
from qinqing.integrity.services import relation_declare, relation_end
from qinqing.policies.models import (
    Case,
    CaseReturn,
    CaseStatus,
    CaseStep,
    Invitation,
    Objection,
    ObjectionStatus,
    Policy,
)
from qinqing.policies.overview import _count, _may_take, department_overview, open_steps_in
from qinqing.policies.selectors import work_queue, work_queue_counted, work_queue_rows
from qinqing.policies.services import cases as flow
from qinqing.policies.services.matching import policy_match

from .factories import make_policy
from .workflow import THREE_STEPS, scenic_spot

pytestmark = pytest.mark.django_db

OFFICER, HEAD = str(Role.OFFICER), str(Role.DEPARTMENT_HEAD)
# The nodes of a history's tree: the bureau above the department, the department that
# issues the policies, a unit below it, and a department beside it.
BUREAU, DEPT, UNIT, SIBLING = "bureau", "dept", "unit", "sibling"
NOTICE_STEPS: list[dict[str, Any]] = [
    {"key": "accept", "role": "officer", "kind": "review", "limit": 2},
    {"key": "recheck", "role": "department_head", "kind": "review", "limit": 3},
    {"key": "notice", "role": "officer", "kind": "notice", "limit": 1},
    {"key": "disburse", "role": "officer", "kind": "payment", "limit": 1},
]
# The policies a case may be under: (issuing node, steps).
POLICIES: tuple[tuple[str, list[dict[str, Any]]], ...] = (
    (DEPT, THREE_STEPS),
    (DEPT, NOTICE_STEPS),
    (UNIT, THREE_STEPS),
)
ENTERPRISES = 2
# A notice ends once its period has run: ask on a day well past any notice's due date.
NOTICES_END_AFTER = dt.timedelta(days=30)

# What the agreement was checked on, over the run: each must have come up at least once
# (the explicit examples below make sure of it; random histories add to them).
SITUATIONS = frozenset(
    {
        "allowed",
        "refused",
        "head's step",
        "role at the department",
        "role above the department",
        "role below the department only",
        "other role only",
        "took an earlier step",
        "returned an ended step",
        "returned the open step (answered)",
        "decided an objection",
        "relation in force",
        "relation ended",
    }
)

_codes = itertools.count(1)


# --- Histories ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    # Per official, the (role, node) pairs they hold. The first official is added to
    # them all: the bureau's head, who makes the policies and reads the overview.
    officials: tuple[frozenset[tuple[str, str]], ...]
    # Per case, (policy index in POLICIES, enterprise index): distinct pairs.
    cases: tuple[tuple[int, int], ...]
    # (action, case or official index, official or enterprise index, flag): see `_act`.
    actions: tuple[tuple[str, int, int, bool], ...]


READER: frozenset[tuple[str, str]] = frozenset({(HEAD, BUREAU)})
# Weighted by repetition: the walk moves cases on more often than it does anything else.
ACTIONS = (
    *("approve",) * 4,
    *("return", "answer") * 2,
    *("reject", "appeal", "decide") * 2,
    "object",
    "close_notices",
    *("declare",) * 2,
    "end_relation",
    "withdraw",
)

holdings = st.frozensets(
    st.tuples(st.sampled_from((OFFICER, HEAD)), st.sampled_from((BUREAU, DEPT, DEPT, UNIT, SIBLING))),
    min_size=1,
    max_size=2,
)
histories = st.builds(
    History,
    officials=st.lists(holdings, min_size=2, max_size=5).map(tuple),
    cases=st.lists(
        st.tuples(st.integers(0, len(POLICIES) - 1), st.integers(0, ENTERPRISES - 1)),
        min_size=1,
        max_size=3,
        unique=True,
    ).map(tuple),
    actions=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, 5), st.integers(0, 5), st.booleans()),
        min_size=6,
        max_size=24,
    ).map(tuple),
)


@dataclass
class Built:
    nodes: dict[str, Organisation]
    officials: list[User]
    enterprises: list[Enterprise]
    enterprise_users: list[User]
    cases: list[Case]


def _build(city: Any, history: History) -> Built:
    """The history's own tree, people, policies and cases (nothing shared with another
    example, so that the queue and the overview see only this history's steps)."""
    bureau = cast(Organisation, OrganisationFactory(parent=city.city))
    dept = cast(Organisation, OrganisationFactory(parent=bureau))
    nodes = {
        BUREAU: bureau,
        DEPT: dept,
        UNIT: cast(Organisation, OrganisationFactory(parent=dept)),
        SIBLING: cast(Organisation, OrganisationFactory(parent=bureau)),
    }
    officials = []
    for held in (READER, *history.officials):
        user = cast(User, UserFactory())
        for role, node in sorted(held):
            give_role(user, role, organisation=nodes[node])
        officials.append(user)
    enterprises, enterprise_users = [], []
    for _ in range(ENTERPRISES):
        enterprise = scenic_spot(cast(Enterprise, EnterpriseFactory(region=city.district)))
        enterprises.append(enterprise)
        enterprise_users.append(give_role(cast(User, UserFactory()), Role.ENTERPRISE, enterprise=enterprise))
    policies: dict[int, Policy] = {}
    cases = []
    for policy_index, enterprise_index in history.cases:
        if policy_index not in policies:
            node, steps = POLICIES[policy_index]
            policies[policy_index] = make_policy(
                actor=officials[0],
                department=nodes[node],
                publish=True,
                code=f"four-eyes-{next(_codes)}",
                steps=steps,
                valid_until=timezone.localdate().replace(month=12, day=31),
                budget_total=Decimal("5000000"),
            )
            policy_match(actor=officials[0], policy=policies[policy_index])
        invitation = Invitation.objects.get(
            policy=policies[policy_index], enterprise=enterprises[enterprise_index]
        )
        cases.append(flow.invitation_confirm(actor=enterprise_users[enterprise_index], invitation=invitation))
    return Built(nodes, officials, enterprises, enterprise_users, cases)


def _act(built: Built, action: tuple[str, int, int, bool]) -> bool:
    """One move of the walk, through the services; whether it changed anything (a
    refusal is part of the walk, and changes nothing).

    Steps and objections: case `i`, and `j` picks among the officials ordered with those
    who may act first (so that the walk moves on, small indices being the likelier, and
    still tries the others, who are refused); `flag`: an objection upheld. Relations:
    official `i`, enterprise `j`."""
    kind, i, j, flag = action
    if kind in ("declare", "end_relation"):
        return _relation(
            built, kind, built.officials[i % len(built.officials)], built.enterprises[j % ENTERPRISES]
        )
    case = Case.objects.get(pk=built.cases[i % len(built.cases)].pk)
    owner = built.enterprise_users[
        next(n for n, e in enumerate(built.enterprises) if e.pk == case.enterprise_id)
    ]
    step = flow.open_step(case)

    def who() -> User:
        return _pick(built.officials, j, lambda o: flow.step_refusal(o, case, step) is None)

    def decide() -> Any:
        objection = Objection.objects.filter(case=case, status=ObjectionStatus.OPEN).first()
        if objection is None:
            return 0
        decider = _pick(built.officials, j, lambda o: _may_decide(o, case))
        return flow.objection_decide(actor=decider, objection=objection, uphold=flag, reply="复查")

    moves: dict[str, Callable[[], Any]] = {
        "approve": lambda: flow.case_approve(actor=who(), case=case),
        "reject": lambda: flow.case_reject(actor=who(), case=case, reason="材料不符"),
        "return": lambda: flow.case_return(actor=who(), case=case, request="请补充"),
        "answer": lambda: flow.case_answer(actor=owner, case=case, answer="已补充"),
        "appeal": lambda: flow.objection_lodge(actor=owner, case=case, text="不服"),
        "object": lambda: flow.objection_lodge(actor=None, case=case, text="公示有误", contact="13800000000"),
        "close_notices": lambda: flow.notices_close(today=timezone.localdate() + NOTICES_END_AFTER),
        "withdraw": lambda: flow.case_withdraw(actor=owner, case=case),
        "decide": decide,
    }
    try:
        done = moves[kind]()
    except ApplicationError:
        return False
    return done != 0  # `notices_close` and `decide` say 0 when there was nothing to do


def _pick(officials: list[User], j: int, may: Callable[[User], bool]) -> User:
    ordered = sorted(officials, key=lambda o: not may(o))  # a stable sort: then by index
    return ordered[j % len(ordered)]


def _may_decide(official: User, case: Case) -> bool:
    return (
        official.pk not in flow.case_actor_ids(case)
        and flow.recusal_refusal(official, case.enterprise_id) is None
        and any(
            case.organisation.path.startswith(path)
            for path in official.role_assignments.filter(role__in=(OFFICER, HEAD)).values_list(
                "organisation__path", flat=True
            )
        )
    )


def _relation(built: Built, kind: str, official: User, enterprise: Enterprise) -> bool:
    try:
        if kind == "declare":
            relation_declare(
                actor=official, enterprise=enterprise, kind=RelationKind.RELATIVE_EMPLOYEE, description="亲属"
            )
            return True
        declaration = RelationDeclaration.objects.filter(
            official=official, enterprise=enterprise, ended_at__isnull=True
        ).first()
        if declaration is None:
            return False
        relation_end(actor=official, declaration=declaration, reason="关系已终止")
    except ApplicationError:
        return False
    return True


# --- The three answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Trail:
    """The history's rows four eyes and recusal are about, read once per check."""

    held: dict[int, set[tuple[str, str]]]  # official: (role, organisation path)
    actors: set[tuple[int, int]]  # (case, official who took a step)
    returns: set[tuple[int, int, int, bool]]  # (case, step, official who asked, answered)
    deciders: set[tuple[int, int]]  # (case, official who decided an objection)
    relations: dict[tuple[int, int], bool]  # (official, enterprise): one in force


def _trail(built: Built) -> Trail:
    officials = [o.pk for o in built.officials]
    cases = [c.pk for c in built.cases]
    held: dict[int, set[tuple[str, str]]] = {pk: set() for pk in officials}
    for user_id, role, path in RoleAssignment.objects.filter(user__in=officials).values_list(
        "user_id", "role", "organisation__path"
    ):
        held[user_id].add((role, path))
    relations: dict[tuple[int, int], bool] = {}
    for official, enterprise, ended in RelationDeclaration.objects.filter(official__in=officials).values_list(
        "official_id", "enterprise_id", "ended_at"
    ):
        relations[(official, enterprise)] = relations.get((official, enterprise), False) or ended is None
    return Trail(
        held=held,
        actors=set(
            CaseStep.objects.filter(case__in=cases, actor__isnull=False).values_list("case_id", "actor_id")
        ),
        returns={
            (case, step, official, answered is not None)
            for case, step, official, answered in CaseReturn.objects.filter(case__in=cases).values_list(
                "case_id", "step_id", "requested_by_id", "answered_at"
            )
        },
        deciders=set(
            Objection.objects.filter(case__in=cases, handled_by__isnull=False).values_list(
                "case_id", "handled_by_id"
            )
        ),
        relations=relations,
    )


def _situations(official: int, step: CaseStep, allowed: bool, trail: Trail) -> set[str]:
    """What the official is to the step and its case (for the run's coverage, not for the
    verdict). Four eyes and recusal are named only where the official's role would let
    them take the step, so that they are what decides."""
    case = step.case
    out = {"allowed" if allowed else "refused"}
    if step.role == HEAD:
        out.add("head's step")
    department = case.organisation.path
    mine = [path for role, path in trail.held[official] if role == step.role]
    if department in mine:
        out.add("role at the department")
    if any(department.startswith(path) and path != department for path in mine):
        out.add("role above the department")
    if mine and all(path.startswith(department) and path != department for path in mine):
        out.add("role below the department only")
    if not mine:
        out.add("other role only")
    if not any(department.startswith(path) for path in mine):
        return out
    if (case.pk, official) in trail.actors:
        out.add("took an earlier step")
    returns = [(at, answered) for c, at, who, answered in trail.returns if (c, who) == (case.pk, official)]
    if any(at != step.pk for at, _answered in returns):
        out.add("returned an ended step")
    if (step.pk, True) in returns:
        out.add("returned the open step (answered)")
    if (case.pk, official) in trail.deciders:
        out.add("decided an objection")
    in_force = trail.relations.get((official, case.enterprise_id))
    if in_force is not None:
        out.add("relation in force" if in_force else "relation ended")
    return out


def _check_agreement(built: Built) -> set[str]:
    """The three answers for every official and every open approval step under review;
    returns the situations they were compared in."""
    paths = (built.nodes[BUREAU].path,)
    # Every open approval step of the history's cases under review (the overview's own
    # notion: no public notice, no case waiting on the enterprise).
    steps = list(open_steps_in(paths).select_related("case", "case__organisation").order_by("pk"))
    ours = {c.pk for c in built.cases}
    assert {s.case_id for s in steps} <= ours
    for step in steps:
        assert step.case.status == CaseStatus.IN_REVIEW
        assert flow.open_step(step.case) == step  # the one open step of its case
    situations: set[str] = set()
    # A fresh user object per official, as a request has (the scope and the barred
    # cases are kept on it).
    people = {o.pk: User.objects.get(pk=o.pk) for o in built.officials}
    allowed: dict[int, set[int]] = {}
    trail = _trail(built)
    for pk, person in people.items():
        allowed[pk] = {s.pk for s in steps if flow.step_refusal(person, s.case, s) is None}
        for step in steps:
            situations |= _situations(pk, step, step.pk in allowed[pk], trail)

    # The work queue: the API's list, the page's rows and its count.
    by_step = {(s.case.public_id, s.key): s.pk for s in steps}
    for pk, person in people.items():
        expected = allowed[pk]
        assert set(work_queue(person).values_list("pk", flat=True)) == expected, person.username
        rows = list(work_queue_rows(person))
        assert len(rows) == len(expected), person.username
        assert {by_step[(row[4], row[0])] for row in rows} == expected, person.username
        assert work_queue_counted(person).count() == len(expected), person.username

    # The overview: per official, the figure `open_steps` (assigned to them or theirs to
    # take) and `assigned`, read by the bureau's head over the whole tree...
    figures = {
        o.user.pk: o for o in department_overview(User.objects.get(pk=built.officials[0].pk)).officials
    }
    assert set(figures) == set(people)
    for pk, person in people.items():
        assigned = {s.pk for s in steps if s.assignee_id == pk}
        assert figures[pk].assigned == len(assigned), person.username
        assert figures[pk].open_steps == len(allowed[pk] | assigned), person.username
    # ... and, step by step, the condition behind "theirs to take" without the
    # assignment: the same correlated subquery, one column per step.
    if steps:
        in_reach = open_steps_in(paths)
        matrix = User.objects.filter(pk__in=list(people)).annotate(
            **{f"step_{s.pk}": _count(in_reach.filter(_may_take(), pk=s.pk)) for s in steps}
        )
        for row in matrix:
            may_take = {s.pk for s in steps if getattr(row, f"step_{s.pk}") == 1}
            assert may_take == allowed[row.pk], row.username
    return situations


# --- The property ------------------------------------------------------------------------------

# Histories that reach every situation whatever the random ones do. Officials: 0 is the
# bureau's head (in every history), then the listed ones from 1. A step's or an
# objection's `j` picks among the officials ordered with those who may act first.
EXAMPLES = (
    # Returns. Case 0: officer 1 asks for materials at the first step and the enterprise
    # answers: the step is still officer 1's to decide. Case 1: the same, then officer 2
    # approves the step and head 3 the next: the payment step is neither officer's.
    History(
        officials=(frozenset({(OFFICER, DEPT)}), frozenset({(OFFICER, DEPT)}), frozenset({(HEAD, DEPT)})),
        cases=((0, 0), (0, 1)),
        actions=(
            ("return", 0, 0, False),
            ("answer", 0, 0, False),
            ("return", 1, 0, False),
            ("answer", 1, 0, False),
            ("approve", 1, 1, False),
            ("approve", 1, 1, False),
        ),
    ),
    # Objections, and the tree. Case 0: officer 1 (of the bureau, above) rejects, the
    # enterprise appeals, official 3 upholds: the first step again, theirs no more.
    # Case 1: officer 1 and head 2 approve, official 3 dismisses an objection to the
    # notice, the notice ends: the payment step is not official 3's. Case 2 is the
    # unit's (below the department): officials of the bureau, the department and the
    # unit may take its first step.
    History(
        officials=(
            frozenset({(OFFICER, BUREAU)}),
            frozenset({(HEAD, DEPT)}),
            frozenset({(OFFICER, DEPT), (HEAD, DEPT)}),
            frozenset({(OFFICER, UNIT)}),
            frozenset({(OFFICER, SIBLING)}),
        ),
        cases=((0, 0), (1, 1), (2, 0)),
        actions=(
            ("reject", 0, 0, False),
            ("appeal", 0, 0, False),
            ("decide", 0, 2, True),
            ("approve", 1, 0, False),
            ("approve", 1, 1, False),
            ("object", 1, 0, False),
            ("decide", 1, 1, False),
            ("close_notices", 0, 0, False),
        ),
    ),
    # Relations: officer 1 declares one to enterprise 0 (in force); officer 2 declares
    # one to enterprise 1 and ends it, and approves case 0 (the head's step next).
    History(
        officials=(frozenset({(OFFICER, DEPT)}), frozenset({(OFFICER, DEPT)})),
        cases=((0, 0), (0, 1)),
        actions=(
            ("declare", 1, 0, False),
            ("declare", 2, 1, False),
            ("end_relation", 2, 1, False),
            ("approve", 0, 0, False),
        ),
    ),
)


def test_step_refusal_the_work_queue_and_the_overview_agree(city: Any) -> None:
    seen: Counter[str] = Counter()

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(history=histories)
    @example(history=EXAMPLES[0])
    @example(history=EXAMPLES[1])
    @example(history=EXAMPLES[2])
    def agree(history: History) -> None:
        built = _build(city, history)
        situations = _check_agreement(built)
        # After every change, not only at the end: a case passes through states (a step
        # returned and answered, an appeal upheld) that later moves leave behind.
        for action in history.actions:
            if _act(built, action):
                situations |= _check_agreement(built)
        for situation in sorted(situations):
            event(situation)
        # Towards histories that reach more kinds of situation.
        target(float(len(situations)), label="situations")
        seen.update(situations)

    agree()
    assert set(seen) >= SITUATIONS, sorted(SITUATIONS - set(seen))

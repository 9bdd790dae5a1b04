"""The department head's overview (部门总览) of the policy benefits: per policy, per
approval step and per official, and how long money took to arrive, for the departments
in the viewer's reach.

Every figure is an aggregate computed in the database: a fixed number of queries
whatever the number of cases, steps or officials. The queue's notions are imported,
never restated: "overdue" and "due soon" are `views.officer_cases.urgency` (with the
step ladder's warning rung in force), the steps an official may take are the work
queue's (`selectors._queue_steps`: their role in their subtree, four eyes, recusal),
and time to cash is the supervision page's computation.

Read by department heads (their departments' subtrees) and supervisors (their reach);
an officer's role does not widen it (the page is not theirs).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from qinqing.accounts.models import Organisation, OrganisationKind, Role, RoleAssignment, User
from qinqing.accounts.pickers import in_tree_order
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import NotFound, PermissionDenied
from qinqing.integrity.models import RelationDeclaration
from qinqing.payments.models import PaymentInstruction, PaymentStatus

# `figures_by` is the supervision page's "time from submission to payment" (median and
# 90th percentile, PostgreSQL's percentile_cont or the streamed equivalent on SQLite);
# it is called here on the overview's narrower set of paid cases, not written again.
from qinqing.supervision.policy_cases import CashFigures, figures_by, paid_cases
from qinqing.workdays.calendar import current_calendar

from .models import (
    Case,
    CaseReturn,
    CaseStatus,
    CaseStep,
    Objection,
    Policy,
    PolicyStatus,
    StepKind,
    StepOutcome,
)
from .receivers import CASE_SOURCE
from .steps import step_label

READER_ROLES = (Role.DEPARTMENT_HEAD, Role.SUPERVISOR)
SHOWN_POLICY_STATUSES = (PolicyStatus.PUBLISHED, PolicyStatus.WITHDRAWN)
# The windows the figures look back over.
HANDLED_DAYS = 30
CASH_DAYS = 90
# "Due soon" never reaches further than this past today, whatever the warning rung says.
MAX_SOON_DAYS = 366
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)


# --- Who reads what --------------------------------------------------------------------------


def overview_reach(user: Any) -> tuple[str, ...]:
    """The subtrees the overview covers: where the user is a department head, and what
    they supervise. Empty for everyone else."""
    return scope_for(user).paths_for(*READER_ROLES)


def require_overview_reader(user: Any) -> tuple[str, ...]:
    paths = overview_reach(user)
    if not paths:
        raise PermissionDenied(_("The department overview is for department heads and supervisors."))
    return paths


def overview_departments(user: Any) -> list[Organisation]:
    """The departments in reach (and any other node issuing policies there), for the
    filter."""
    paths = require_overview_reader(user)
    issuing = Policy.objects.values("department_id")
    # In the tree's order (the path's numbers: by text "/1/10/" came before "/1/2/",
    # interleaving the city's departments with the counties').
    return in_tree_order(
        Organisation.objects.filter(subtree_q("path", paths)).filter(
            Q(kind=OrganisationKind.DEPARTMENT) | Q(pk__in=issuing)
        )
    )


# --- "Due soon" ------------------------------------------------------------------------------


def due_soon_until(today: dt.date) -> dt.date:
    """The last due date the work queue calls "near" today: the queue's own `urgency`,
    asked day by day from today on (it is monotonic in the due date), so that a step
    counts as due soon here exactly when the queue colours it so. Overdue is before
    today; due soon is from today to this date."""
    # Where the queue keeps them; imported when asked, so that the API's import of this
    # module does not load the page views.
    from .views.officer_cases import urgency, warning_rung

    calendar, warning = current_calendar(), warning_rung()
    last = today
    for _n in range(MAX_SOON_DAYS):
        following = last + dt.timedelta(days=1)
        if urgency(following, today, calendar, warning) != "near":
            break
        last = following
    return last


# --- The figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepCounts:
    open_steps: int = 0
    overdue: int = 0
    due_soon: int = 0


@dataclass(frozen=True)
class PolicyFigures:
    policy: Policy | None  # None: the total row
    budget_total: Decimal
    reserved: Decimal
    paid: Decimal  # settled payment instructions
    paying: Decimal  # instructions not settled yet (waiting, being sent, accepted, unknown)
    cases: dict[str, int]  # every CaseStatus value
    steps: StepCounts

    @property
    def remaining(self) -> Decimal:
        return self.budget_total - self.reserved

    @property
    def case_counts(self) -> list[tuple[str, int]]:
        return [(status, self.cases.get(status, 0)) for status in CaseStatus.values]

    @property
    def cases_total(self) -> int:
        return sum(self.cases.values())


@dataclass(frozen=True)
class StepFigures:
    key: str
    name: str
    label: str
    steps: StepCounts


@dataclass(frozen=True)
class OfficialFigures:
    user: User
    roles: tuple[str, ...]
    open_steps: int  # assigned to them, or theirs to take
    assigned: int
    overdue: int  # of `open_steps`
    completed: int  # in the last HANDLED_DAYS days
    median_seconds: float | None

    @property
    def role_labels(self) -> str:
        return "、".join(str(Role(r).label) for r in self.roles)

    @property
    def median_hours(self) -> float | None:
        return None if self.median_seconds is None else round(self.median_seconds / 3600, 1)


@dataclass
class Overview:
    today: dt.date
    due_soon_until: dt.date
    handled_since: dt.datetime
    cash_since: dt.date
    departments: list[Organisation]
    department: Organisation | None
    policies: list[PolicyFigures]
    total: PolicyFigures
    steps: list[StepFigures]
    officials: list[OfficialFigures]
    cash_by_policy: list[CashFigures]
    cash_total: CashFigures
    cash_policy_ids: dict[int, Any] = field(default_factory=dict)  # policy pk -> public id

    @property
    def cash_until(self) -> dt.date:
        return self.today


def department_overview(
    user: Any,
    *,
    department_id: int | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Overview:
    """Every figure of the overview for the departments in the user's reach, or for one
    of them (`department_id`, NotFound when it is not one of them)."""
    paths = require_overview_reader(user)
    departments = overview_departments(user)
    department = None
    if department_id is not None:
        department = next((d for d in departments if d.pk == department_id), None)
        if department is None:
            raise NotFound()
        paths = (department.path,)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    soon = due_soon_until(today)
    policies = list(
        Policy.objects.filter(subtree_q("department__path", paths), status__in=SHOWN_POLICY_STATUSES)
        .select_related("department")
        .only(
            "public_id",
            "code",
            "title",
            "status",
            "budget_total",
            "budget_reserved",
            "department",
            "department__name",
        )
        .order_by("department__path", "status", "title", "id")
    )
    policy_rows = _policy_figures(policies, paths, today, soon)
    handled_since = now - dt.timedelta(days=HANDLED_DAYS)
    cash_since = today - dt.timedelta(days=CASH_DAYS - 1)
    by_policy, cash_total = _time_to_cash(user, paths, policies, since=cash_since, until=today)
    return Overview(
        today=today,
        due_soon_until=soon,
        handled_since=handled_since,
        cash_since=cash_since,
        departments=departments,
        department=department,
        policies=policy_rows,
        total=_total(policy_rows),
        steps=_step_figures(paths, today, soon),
        officials=_official_figures(paths, today, handled_since, now),
        cash_by_policy=by_policy,
        cash_total=cash_total,
        cash_policy_ids={p.pk: p.public_id for p in policies},
    )


def open_steps_in(paths: tuple[str, ...]) -> QuerySet[CaseStep]:
    """Open approval steps waiting on the departments: those of cases under review (a
    returned case waits on the enterprise, its clock stopped), without the public-notice
    steps (they end by themselves) — the steps the work queue is made of."""
    return (
        CaseStep.objects.filter(
            subtree_q("organisation__path", paths), ended_at__isnull=True, case__status=CaseStatus.IN_REVIEW
        )
        .exclude(kind=StepKind.NOTICE)
        .order_by()
    )


def _step_counts(today: dt.date, soon: dt.date) -> dict[str, Any]:
    return {
        "n": Count("pk"),
        "late": Count("pk", filter=Q(due_date__lt=today)),
        "soon": Count("pk", filter=Q(due_date__gte=today, due_date__lte=soon)),
    }


def _policy_figures(
    policies: list[Policy], paths: tuple[str, ...], today: dt.date, soon: dt.date
) -> list[PolicyFigures]:
    ids = [p.pk for p in policies]
    if not ids:
        return []
    cases: dict[int, dict[str, int]] = defaultdict(dict)
    for policy_id, status, n in (
        Case.objects.filter(policy_id__in=ids)
        .order_by()
        .values_list("policy_id", "status")
        .annotate(n=Count("pk"))
    ):
        cases[policy_id][status] = n
    steps = {
        row["case__policy_id"]: StepCounts(row["n"], row["late"], row["soon"])
        for row in open_steps_in(paths)
        .filter(case__policy_id__in=ids)
        .values("case__policy_id")
        .annotate(**_step_counts(today, soon))
    }
    money = _payments_by_policy(paths, ids)
    return [
        PolicyFigures(
            policy=p,
            budget_total=p.budget_total,
            reserved=p.budget_reserved,
            paid=money.get(p.pk, (ZERO, ZERO))[0],
            paying=money.get(p.pk, (ZERO, ZERO))[1],
            cases={s: cases[p.pk].get(s, 0) for s in CaseStatus.values},
            steps=steps.get(p.pk, StepCounts()),
        )
        for p in policies
    ]


def _payments_by_policy(paths: tuple[str, ...], ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per policy: the money of its cases' settled instructions, and of those still on
    their way. An instruction names its case by id as text (`source_id`); the paying
    organisation is the case's department, which narrows the scan first."""
    case_id = Cast(OuterRef("source_id"), BigIntegerField())
    case_policy = Case.objects.filter(pk=case_id).order_by().values("policy_id")[:1]
    rows = (
        PaymentInstruction.objects.filter(subtree_q("organisation__path", paths), source_type=CASE_SOURCE)
        .annotate(policy_id=Subquery(case_policy, output_field=BigIntegerField()))
        .order_by()
        .values("policy_id")
        .annotate(
            paid=Sum("amount", filter=Q(status=PaymentStatus.SETTLED), output_field=MONEY),
            paying=Sum("amount", filter=Q(status__in=PaymentInstruction.OPEN), output_field=MONEY),
        )
    )
    wanted = set(ids)
    return {r["policy_id"]: (_yuan(r["paid"]), _yuan(r["paying"])) for r in rows if r["policy_id"] in wanted}


def _yuan(amount: Decimal | None) -> Decimal:
    # SQLite's SUM comes back without the column's two places.
    return (amount or ZERO).quantize(CENT)


def _total(rows: list[PolicyFigures]) -> PolicyFigures:
    cases: dict[str, int] = {s: sum(r.cases.get(s, 0) for r in rows) for s in CaseStatus.values}
    return PolicyFigures(
        policy=None,
        budget_total=sum((r.budget_total for r in rows), ZERO),
        reserved=sum((r.reserved for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO),
        paying=sum((r.paying for r in rows), ZERO),
        cases=cases,
        steps=StepCounts(
            sum(r.steps.open_steps for r in rows),
            sum(r.steps.overdue for r in rows),
            sum(r.steps.due_soon for r in rows),
        ),
    )


def _step_figures(paths: tuple[str, ...], today: dt.date, soon: dt.date) -> list[StepFigures]:
    rows = (
        open_steps_in(paths)
        .values("key", "name")
        .annotate(first=Min("position"), **_step_counts(today, soon))
        .order_by("first", "key", "name")
    )
    return [
        StepFigures(
            key=r["key"],
            name=r["name"],
            label=step_label({"key": r["key"], "name": r["name"]}),
            steps=StepCounts(r["n"], r["late"], r["soon"]),
        )
        for r in rows
    ]


# --- Per official ----------------------------------------------------------------------------


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of `queryset` as a correlated subquery (no GROUP BY: one row always)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    return Coalesce(Subquery(counted.values("n")[:1]), Value(0), output_field=IntegerField())


def _may_take() -> Q:
    """The open step (the subquery's row) is one the official (two levels out) may take,
    as the work queue offers it (`selectors._queue_steps` and `_barred_cases`): they hold
    the step's role at or above its department, took no step of the case, returned none
    of its ended steps, decided none of its objections, and declared no relation to its
    enterprise."""
    official = OuterRef(OuterRef("pk"))
    holds = RoleAssignment.objects.filter(user=official, role=OuterRef("role")).filter(
        StartsWith(OuterRef("organisation__path"), F("organisation__path"))
    )
    acted = CaseStep.objects.filter(case=OuterRef("case"), actor=official)
    returned = CaseReturn.objects.filter(
        case=OuterRef("case"), requested_by=official, step__ended_at__isnull=False
    )
    handled = Objection.objects.filter(case=OuterRef("case"), handled_by=official)
    related = RelationDeclaration.objects.filter(
        official=official, ended_at__isnull=True, enterprise=OuterRef("case__enterprise")
    )
    return (
        Q(Exists(holds))
        & ~Q(Exists(acted))
        & ~Q(Exists(returned))
        & ~Q(Exists(handled))
        & ~Q(Exists(related))
    )


def _official_figures(
    paths: tuple[str, ...], today: dt.date, since: dt.datetime, now: dt.datetime
) -> list[OfficialFigures]:
    """The officers and heads holding their role in the departments: open steps
    assigned to them or theirs to take, steps they decided in the window, and the median
    time from a step's start to their decision."""
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in RoleAssignment.objects.filter(
        subtree_q("organisation__path", paths),
        role__in=(Role.OFFICER, Role.DEPARTMENT_HEAD),
        user__is_active=True,
    ).values_list("user_id", "role"):
        roles[user_id].add(role)
    if not roles:
        return []
    mine = Q(assignee=OuterRef("pk")) | _may_take()
    steps = open_steps_in(paths)
    people = (
        User.objects.filter(pk__in=sorted(roles))
        .only("public_id", "username", "display_name")
        .annotate(
            open_steps=_count(steps.filter(mine)),
            assigned=_count(steps.filter(assignee=OuterRef("pk"))),
            overdue=_count(steps.filter(mine, due_date__lt=today)),
        )
        .order_by("display_name", "username", "pk")
    )
    handled = _handling_medians(paths, sorted(roles), since, now)
    return [
        OfficialFigures(
            user=u,
            roles=tuple(r for r in (Role.DEPARTMENT_HEAD, Role.OFFICER) if r in roles[u.pk]),
            open_steps=u.open_steps,
            assigned=u.assigned,
            overdue=u.overdue,
            completed=handled.get(u.pk, (0, None))[0],
            median_seconds=handled.get(u.pk, (0, None))[1],
        )
        for u in people
    ]


def _handling_medians(
    paths: tuple[str, ...], official_ids: list[int], since: dt.datetime, now: dt.datetime
) -> dict[int, tuple[int, float | None]]:
    """Per official: how many steps they decided in the window, and the median of
    (ended − started) over them, as percentile_cont(0.5) computes it: the middle one, or
    the mean of the two middle ones. Both databases rank the durations in one statement
    and return only the middle rows (at most two per official)."""
    took = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    ranked = (
        CaseStep.objects.filter(
            subtree_q("organisation__path", paths),
            actor_id__in=official_ids,
            ended_at__gte=since,
            ended_at__lte=now,
            outcome__in=(StepOutcome.APPROVED, StepOutcome.REJECTED),
        )
        .exclude(kind=StepKind.NOTICE)
        .annotate(
            took=took,
            rank=Window(RowNumber(), partition_by=[F("actor_id")], order_by=[took.asc(), F("pk").asc()]),
            of=Window(Count("pk"), partition_by=[F("actor_id")]),
        )
        .filter(rank__gte=(F("of") + 1) / 2, rank__lte=(F("of") + 2) / 2)
        .order_by()
        .values_list("actor_id", "of", "took")
    )
    middles: dict[int, list[dt.timedelta]] = defaultdict(list)
    counts: dict[int, int] = {}
    for actor_id, of, took_ in ranked:
        counts[actor_id] = of
        middles[actor_id].append(took_)
    return {
        actor_id: (counts[actor_id], sum(t.total_seconds() for t in values) / len(values))
        for actor_id, values in middles.items()
    }


# --- Time to cash ----------------------------------------------------------------------------


def _time_to_cash(
    user: Any, paths: tuple[str, ...], policies: list[Policy], *, since: dt.date, until: dt.date
) -> tuple[list[CashFigures], CashFigures]:
    """The supervision page's time to cash (`figures_by`), over the cases paid in the
    period in the overview's departments: per policy and in all."""
    paid = paid_cases(user, since=since, until=until).filter(subtree_q("organisation__path", paths))
    per_policy = figures_by(paid, "policy_id")
    total = figures_by(paid, None).get(None)
    by_pk = {p.pk: p for p in policies}
    rows = [
        CashFigures(
            key=pk,
            label=f"{by_pk[pk].code} {by_pk[pk].title}",
            department=by_pk[pk].department.name,
            count=n,
            within_day=within,
            median=median,
            p90=p90,
        )
        for pk, (n, within, median, p90) in per_policy.items()
        if pk in by_pk
    ]
    rows.sort(key=lambda f: (f.department, f.label))
    n, within, median, p90 = total or (0, 0, None, None)
    return rows, CashFigures(
        key=None, label=_("All"), department="", count=n, within_day=within, median=median, p90=p90
    )


__all__ = [
    "CASH_DAYS",
    "HANDLED_DAYS",
    "READER_ROLES",
    "OfficialFigures",
    "Overview",
    "PolicyFigures",
    "StepCounts",
    "StepFigures",
    "department_overview",
    "due_soon_until",
    "open_steps_in",
    "overview_departments",
    "overview_reach",
    "require_overview_reader",
]

"""Whole-process supervision (全程督) of policy cases: what is late, what alarmed, what
happened to one case, and how long money took to arrive.

Read-only, and always through the reader's scope: a 派驻 group reads the departments
it supervises, the commission the whole city, an official their department's subtree.
Enterprises and admins read none of it (admins configure; they do not look into cases).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.audit.chain import GENESIS_HASH
from qinqing.audit.models import AuditEvent
from qinqing.audit.verify import describe, verify_chain
from qinqing.common.errors import NotFound, PermissionDenied
from qinqing.deadlines.models import Alert, Deadline, DeadlinePause, RungName
from qinqing.payments.models import PaymentInstruction
from qinqing.policies.ladders import STEP_DEADLINE_KIND
from qinqing.policies.models import Case, CaseStatus, CaseStep, Objection, Policy, StepKind
from qinqing.policies.steps import step_label
from qinqing.workdays.calendar import CalendarYearNotSeeded, current_calendar

from .readable import ReadableEvent, readable_events
from .selectors import SHANGHAI, TimelineEntry, field_changes

# Who reads these figures: officials for their department's subtree, supervisors in
# their reach. Enterprises and admins are refused.
READER_ROLES = (Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE, Role.SUPERVISOR)
# The payments app's name for an instruction paying a case (qinqing/policies/receivers.py).
CASE_SOURCE = "policies.case"
CASE_TYPE = Case._meta.label_lower
DEADLINE_TYPE = Deadline._meta.label_lower
INSTRUCTION_TYPE = PaymentInstruction._meta.label_lower
INVITATION_TYPE = "policies.invitation"
# Open cases whose step is waiting on someone (a returned case waits on the enterprise,
# with the step's clock paused).
WAITING = (CaseStatus.IN_REVIEW, CaseStatus.RETURNED)
# Rows on one page of a list; the Excel export holds them all, up to MAX_EXPORT_ROWS.
LIST_LIMIT = 500
MAX_EXPORT_ROWS = 100_000
# Verify a case's chain segment on the page only when it is short enough to walk at once.
SEGMENT_LIMIT = 50_000
DAY_SECONDS = 86_400
PERCENTILES = (0.5, 0.9)


def require_case_reader(user: Any) -> None:
    if not scope_for(user).has_role(*READER_ROLES):
        raise PermissionDenied()


def is_case_reader(user: Any) -> bool:
    return scope_for(user).has_role(*READER_ROLES)


def _in_reach(user: Any, queryset: QuerySet[Any], organisation_field: str) -> QuerySet[Any]:
    require_case_reader(user)
    return scope_records(user, queryset, organisation_field=organisation_field, enterprise_field=None)


def departments_in_reach(user: Any) -> list[Organisation]:
    """Departments with policies the user may read, for the filter of the lists."""
    require_case_reader(user)
    paths = scope_for(user).read_paths
    reach = Q(pk__in=[])
    for path in paths:
        reach |= Q(path__startswith=path)
    return list(
        Organisation.objects.filter(reach, pk__in=Policy.objects.values("department_id")).order_by("path")
    )


# --- Overdue steps ---------------------------------------------------------------------------


class StepState:
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"
    # Returned for materials: the clock stands still while the enterprise answers, and
    # the due date moves by the paused working days when it resumes (deadline_resume),
    # so the step is neither overdue nor due while it waits.
    PAUSED = "paused"


def _state_label(state: str) -> str:
    return {
        StepState.OVERDUE: _("Overdue"),
        StepState.DUE_TODAY: _("Due today"),
        StepState.DUE_SOON: _("Due soon"),
        StepState.PAUSED: _("Paused: waiting for the enterprise"),
    }[state]


@dataclass(frozen=True)
class StepRow:
    step: CaseStep
    state: str
    # Working days past the due date (0 on the due date and before it); for a paused
    # step, those it was already late when its clock stopped.
    days_overdue: int
    paused: bool
    # The day the clock stopped (None while it runs, or when no pause is recorded).
    paused_since: dt.date | None = None

    @property
    def case(self) -> Case:
        return self.step.case

    @property
    def state_label(self) -> str:
        return _state_label(self.state)

    @property
    def step_label(self) -> str:
        return step_label(self.step)


def _working_days_after(due: dt.date, today: dt.date) -> int:
    if today <= due:
        return 0
    try:
        return current_calendar().working_days_between(due, today)
    except CalendarYearNotSeeded:
        # A year the calendar does not hold yet: calendar days are the honest fallback.
        return (today - due).days


def _horizon(today: dt.date, working_days: int) -> dt.date:
    try:
        return current_calendar().add_working_days(today, working_days)
    except CalendarYearNotSeeded:
        return today + dt.timedelta(days=working_days)


def policy_steps_late(
    user: Any,
    *,
    today: dt.date | None = None,
    soon_days: int = 1,
    overdue_only: bool = False,
    department: int | None = None,
) -> QuerySet[CaseStep]:
    """Open approval steps past their due date, or due within `soon_days` working days,
    in the user's reach, the most overdue first. Public-notice steps are left out: they
    end by themselves when the notice ends."""
    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=1) if overdue_only else _horizon(today, soon_days)
    qs = _in_reach(user, CaseStep.objects.all(), "case__organisation").filter(
        ended_at__isnull=True, due_date__lte=limit, case__status__in=WAITING
    )
    if department:
        qs = qs.filter(case__organisation_id=department)
    qs = qs.annotate(
        paused_since=Subquery(
            DeadlinePause.objects.filter(deadline_id=OuterRef("deadline_id"), end__isnull=True).values(
                "start"
            )[:1]
        )
    )
    if overdue_only:
        # A paused step is not overdue while it waits (as the department overview, which
        # links here, counts it), even one already late when its clock stopped.
        qs = qs.exclude(_paused())
    return (
        qs.exclude(kind=StepKind.NOTICE)
        .select_related(
            "case", "case__policy", "case__enterprise", "case__organisation", "assignee", "deadline"
        )
        .order_by("due_date", "started_at", "id")
    )


def _paused() -> Q:
    """The step's clock stands still: its deadline is paused, or its case waits on the
    enterprise (returned for materials), which is what pauses it."""
    return Q(deadline__paused=True) | Q(case__status=CaseStatus.RETURNED)


def is_step_paused(step: CaseStep) -> bool:
    return bool(step.deadline and step.deadline.paused) or step.case.status == CaseStatus.RETURNED


def step_rows(steps: Any, *, today: dt.date | None = None) -> list[StepRow]:
    """The late list's rows. A paused step is shown paused, whatever its due date: the
    due date moves by the paused working days when the clock restarts, so until then it
    is late only by the working days it already was when the clock stopped."""
    today = today or timezone.localdate()
    rows = []
    for step in steps:
        paused = is_step_paused(step)
        since = getattr(step, "paused_since", None)
        if paused:
            state = StepState.PAUSED
            # The clock stopped from `since` on (that day included, as the resume counts it).
            stopped = min(since or today, today) - dt.timedelta(days=1)
            late = _working_days_after(step.due_date, stopped)
        else:
            if step.due_date < today:
                state = StepState.OVERDUE
            elif step.due_date == today:
                state = StepState.DUE_TODAY
            else:
                state = StepState.DUE_SOON
            late = _working_days_after(step.due_date, today)
        rows.append(
            StepRow(
                step=step,
                state=state,
                days_overdue=late,
                paused=paused,
                paused_since=since if paused else None,
            )
        )
    return rows


# --- Alarms of policy steps ------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    step: CaseStep | None

    @property
    def case(self) -> Case | None:
        return self.step.case if self.step else None

    @property
    def rung_label(self) -> str:
        return str(RungName(self.alert.rung).label)

    @property
    def urgent(self) -> bool:
        return self.alert.rung in (RungName.ALARM, RungName.ESCALATION)

    @property
    def step_label(self) -> str:
        return step_label(self.step) if self.step else ""


def policy_step_alerts(
    user: Any,
    *,
    since: dt.date,
    until: dt.date,
    rung: str = "",
    department: int | None = None,
) -> QuerySet[Alert]:
    """Alerts fired for policy steps between `since` and `until` (inclusive) in the
    user's reach, newest first."""
    qs = _in_reach(user, Alert.objects.all(), "deadline__organisation").filter(
        deadline__kind=STEP_DEADLINE_KIND, fired_on__gte=since, fired_on__lte=until
    )
    if rung:
        qs = qs.filter(rung=rung)
    if department:
        qs = qs.filter(deadline__organisation_id=department)
    return qs.select_related("deadline", "deadline__organisation", "deadline__owner").order_by(
        "-fired_at", "-id"
    )


def alert_rows(alerts: Any, *, chunk: int = 1000) -> Iterator[AlertRow]:
    """Each alert with its step and case: one query for the steps per `chunk` alerts."""
    batch: list[Alert] = []
    for alert in alerts:
        batch.append(alert)
        if len(batch) >= chunk:
            yield from _with_steps(batch)
            batch = []
    if batch:
        yield from _with_steps(batch)


def _with_steps(alerts: list[Alert]) -> list[AlertRow]:
    ids = {int(a.deadline.object_id) for a in alerts if a.deadline.object_id.isdigit()}
    steps = {
        s.pk: s
        for s in CaseStep.objects.filter(pk__in=sorted(ids)).select_related(
            "case", "case__policy", "case__enterprise", "case__organisation"
        )
    }
    return [
        AlertRow(
            alert=a,
            step=steps.get(int(a.deadline.object_id)) if a.deadline.object_id.isdigit() else None,
        )
        for a in alerts
    ]


# --- One case's timeline ---------------------------------------------------------------------


def access_policy_case(user: Any, public_id: Any) -> Case:
    """A case in the user's reach (officials: their department's subtree)."""
    case = (
        _in_reach(user, Case.objects.all(), "organisation")
        .select_related("policy", "enterprise", "organisation")
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def policy_cases_find(user: Any, *, text: str = "", department: int | None = None) -> QuerySet[Case]:
    """Cases in the user's reach by their number (or its start), the enterprise's name
    or credit code, newest first; all of them without `text`."""
    qs = _in_reach(user, Case.objects.all(), "organisation")
    text = text.strip()
    if text:
        qs = qs.filter(
            Q(reference__istartswith=text)
            | Q(enterprise__name__icontains=text)
            | Q(enterprise__credit_code__iexact=text)
        )
    if department:
        qs = qs.filter(organisation_id=department)
    return qs.select_related("policy", "enterprise", "organisation").order_by("-submitted_at", "-id")


@dataclass(frozen=True)
class CaseEvent:
    entry: TimelineEntry
    # What the event is about: the case, a step's deadline, the payment instruction.
    subject: str
    # The same event as the supervisor reads it (labels, names, the actor's organisation).
    readable: ReadableEvent

    @property
    def event(self) -> AuditEvent:
        return self.entry.event


@dataclass(frozen=True)
class SegmentCheck:
    first_seq: int
    last_seq: int
    events_checked: int
    intact: bool
    checked: bool
    first_break: str = ""

    @property
    def length(self) -> int:
        return self.last_seq - self.first_seq + 1


@dataclass
class CaseTimeline:
    case: Case
    steps: list[CaseStep]
    instructions: list[PaymentInstruction]
    events: list[CaseEvent]
    pending: int = 0
    segment: SegmentCheck | None = None
    step_names: dict[int, str] = field(default_factory=dict)

    @property
    def labelled_steps(self) -> list[tuple[CaseStep, str]]:
        return [(s, self.step_names.get(s.pk, s.key)) for s in self.steps]


def case_timeline(user: Any, case: Case, *, verify: bool = True) -> CaseTimeline:
    """Every audit event about the case, its steps' deadlines, its invitation and its
    payment instruction, in chain order; the steps with start, deadline and end; and
    whether the stretch of the chain holding those events is intact."""
    require_case_reader(user)
    steps = list(
        CaseStep.objects.filter(case=case)
        .select_related("deadline", "assignee", "actor")
        .order_by("position", "attempt")
    )
    instructions = list(
        PaymentInstruction.objects.filter(source_type=CASE_SOURCE, source_id=str(case.pk)).order_by("id")
    )
    deadline_steps = {str(s.deadline_id): s for s in steps if s.deadline_id is not None}
    # The objections' deadlines (who answers, by when, handed over, met) are the case's too.
    objection_deadlines = {
        str(pk)
        for pk in Objection.objects.filter(case=case, deadline__isnull=False).values_list(
            "deadline_id", flat=True
        )
    }
    condition = Q(object_type=CASE_TYPE, object_id=str(case.pk))
    if deadline_steps or objection_deadlines:
        condition |= Q(
            object_type=DEADLINE_TYPE, object_id__in=sorted({*deadline_steps, *objection_deadlines})
        )
    if instructions:
        condition |= Q(object_type=INSTRUCTION_TYPE, object_id__in=[str(i.pk) for i in instructions])
    if case.invitation_id is not None:
        condition |= Q(object_type=INVITATION_TYPE, object_id=str(case.invitation_id))
    rows = list(
        AuditEvent.objects.filter(condition)
        .select_related("organisation")
        .order_by(F("seq").asc(nulls_last=True), "id")
    )
    entries = [
        TimelineEntry(
            event=event,
            local_time=event.at.astimezone(SHANGHAI),
            changes=field_changes(event.before, event.after),
        )
        for event in rows
    ]
    events = []
    for event, readable in zip(rows, readable_events(entries, cases=[case]), strict=True):
        if event.object_type == DEADLINE_TYPE and event.object_id not in deadline_steps:
            subject = _("Deadline of an objection")
        elif event.object_type == DEADLINE_TYPE:
            step = deadline_steps[event.object_id]
            subject = _("Deadline of step %(step)s") % {"step": step_label(step)}
        elif event.object_type == INSTRUCTION_TYPE:
            subject = _("Payment instruction")
        elif event.object_type == INVITATION_TYPE:
            subject = _("Invitation")
        else:
            subject = _("Case")
        events.append(CaseEvent(entry=readable.entry, subject=subject, readable=readable))
    timeline = CaseTimeline(
        case=case,
        steps=steps,
        instructions=instructions,
        events=events,
        pending=sum(1 for e in rows if e.seq is None),
        step_names={s.pk: step_label(s) for s in steps},
    )
    if verify:
        timeline.segment = segment_check([e.seq for e in rows if e.seq is not None])
    return timeline


def segment_check(seqs: list[int], *, limit: int = SEGMENT_LIMIT) -> SegmentCheck | None:
    """Verify the stretch of the chain from the first to the last of `seqs`: every
    event in it is recomputed and linked to the one before (qinqing.audit.verify)."""
    if not seqs:
        return None
    first, last = min(seqs), max(seqs)
    if last - first + 1 > limit:
        return SegmentCheck(first_seq=first, last_seq=last, events_checked=0, intact=False, checked=False)
    before = AuditEvent.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
    report = verify_chain(
        checkpoints=False,
        include_local_file=False,
        after_seq=first - 1,
        after_hash=before or GENESIS_HASH,
        through_seq=last,
    )
    broken = report.first_break
    intact = report.intact and report.events == last - first + 1
    return SegmentCheck(
        first_seq=first,
        last_seq=last,
        events_checked=report.events,
        intact=intact,
        checked=True,
        first_break=describe(broken.kind, broken.seq, broken.detail) if broken else "",
    )


# --- Time to cash ----------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (an ordered-set aggregate)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float) -> None:
        # A constant of this module, never input: safe to place in the SQL text.
        super().__init__(expression, fraction=repr(float(fraction)))


def _waited() -> ExpressionWrapper:
    return ExpressionWrapper(F("paid_at") - F("submitted_at"), output_field=DurationField())


def _waited_seconds() -> Func:
    return Func(
        _waited(), template="EXTRACT(EPOCH FROM %(expressions)s)::double precision", output_field=FloatField()
    )


class Grouping:
    POLICY = "policy"
    DEPARTMENT = "department"


GROUP_FIELDS = {Grouping.POLICY: "policy_id", Grouping.DEPARTMENT: "organisation_id"}


@dataclass(frozen=True)
class CashFigures:
    key: int | None
    label: str
    department: str
    count: int
    within_day: int
    # Seconds from submission to payment; None without a paid case.
    median: float | None
    p90: float | None
    # Where a table's row leads (a page listing the row's paid cases), if anywhere.
    url: str = ""

    @property
    def share_within_day(self) -> float:
        return self.within_day / self.count if self.count else 0.0

    @property
    def median_days(self) -> float | None:
        return None if self.median is None else round(self.median / DAY_SECONDS, 2)

    @property
    def p90_days(self) -> float | None:
        return None if self.p90 is None else round(self.p90 / DAY_SECONDS, 2)


@dataclass(frozen=True)
class CashReport:
    since: dt.date
    until: dt.date
    by_policy: list[CashFigures]
    by_department: list[CashFigures]
    total: CashFigures


def paid_cases(user: Any, *, since: dt.date, until: dt.date) -> QuerySet[Case]:
    """Cases paid between `since` and `until` (Beijing dates, inclusive) in reach."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=SHANGHAI)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    return _in_reach(user, Case.objects.all(), "organisation").filter(
        status=CaseStatus.PAID, paid_at__isnull=False, paid_at__gte=start, paid_at__lt=end
    )


def _lerp(values: dict[int, float], n: int, fraction: float) -> float:
    # PostgreSQL's percentile_cont exactly: the same positions and the same arithmetic,
    # so that both databases give the same figures.
    position = fraction * (n - 1)
    lo, hi = math.floor(position), math.ceil(position)
    low, high = values[lo], values[hi]
    return low + (position - lo) * (high - low)


Figures = tuple[int, int, float | None, float | None]


def _within_day() -> Count:
    return Count("id", filter=Q(paid_at__lte=F("submitted_at") + dt.timedelta(days=1)))


def figures_by(qs: QuerySet[Case], group: str | None) -> dict[int | None, Figures]:
    """{group key: (count, paid within a day, median, p90)} over `qs`; one entry under
    None for the whole of `qs` when `group` is None."""
    if connection.vendor == "postgresql":
        aggregates = {
            "n": Count("id"),
            "within": _within_day(),
            **{f"p{round(p * 100)}": PercentileCont(_waited_seconds(), p) for p in PERCENTILES},
        }
        rows = (
            list(qs.values(group).annotate(**aggregates).order_by())
            if group
            else [qs.aggregate(**aggregates)]
        )
        return {
            (r[group] if group else None): (r["n"], r["within"], _rounded(r["p50"]), _rounded(r["p90"]))
            for r in rows
            if r["n"]
        }
    return _figures_streamed(qs, group)


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def _figures_streamed(qs: QuerySet[Case], group: str | None) -> dict[int | None, Figures]:
    """Without percentile_cont (SQLite): counts in the database, then the durations
    streamed in order, keeping only the one or two values each percentile needs."""
    if group:
        counts = {
            r[group]: (r["n"], r["within"])
            for r in qs.values(group).annotate(n=Count("id"), within=_within_day()).order_by()
        }
    else:
        total = qs.aggregate(n=Count("id"), within=_within_day())
        counts = {None: (total["n"], total["within"])} if total["n"] else {}
    wanted: dict[int | None, set[int]] = {}
    for key, (n, _within) in counts.items():
        wanted[key] = set()
        for p in PERCENTILES:
            position = p * (n - 1)
            wanted[key] |= {math.floor(position), math.ceil(position)}
    picked: dict[int | None, dict[int, float]] = {key: {} for key in counts}
    durations = qs.annotate(waited=_waited())
    if group:
        stream: Iterator[tuple[Any, dt.timedelta]] = (
            durations.order_by(group, "waited").values_list(group, "waited").iterator(chunk_size=2000)
        )
    else:
        stream = (
            (None, w)
            for w in durations.order_by("waited").values_list("waited", flat=True).iterator(chunk_size=2000)
        )
    current: Any = object()
    index = 0
    for key, waited in stream:
        if key != current:
            current, index = key, 0
        if key in wanted and index in wanted[key]:
            picked[key][index] = waited.total_seconds()
        index += 1
    return {
        key: (n, within, _rounded(_lerp(picked[key], n, 0.5)), _rounded(_lerp(picked[key], n, 0.9)))
        for key, (n, within) in counts.items()
    }


def time_to_cash(user: Any, *, since: dt.date, until: dt.date) -> CashReport:
    """Median and 90th percentile of (paid − submitted) over the cases paid in the
    period, per policy, per department and in all; with counts and the share paid
    within one day of submission."""
    qs = paid_cases(user, since=since, until=until)
    per_policy = figures_by(qs, GROUP_FIELDS[Grouping.POLICY])
    per_department = figures_by(qs, GROUP_FIELDS[Grouping.DEPARTMENT])
    total = figures_by(qs, None).get(None)
    policies = {
        p.pk: p
        for p in Policy.objects.filter(pk__in=[k for k in per_policy if k is not None]).select_related(
            "department"
        )
    }
    departments = {
        o.pk: o for o in Organisation.objects.filter(pk__in=[k for k in per_department if k is not None])
    }

    def figures(key: int | None, label: str, department: str, values: Figures) -> CashFigures:
        n, within, median, p90 = values
        return CashFigures(
            key=key, label=label, department=department, count=n, within_day=within, median=median, p90=p90
        )

    by_policy = sorted(
        (
            figures(k, f"{policies[k].code} {policies[k].title}", policies[k].department.name, v)
            for k, v in per_policy.items()
            if k in policies
        ),
        key=lambda f: (f.department, f.label),
    )
    by_department = sorted(
        (
            figures(k, departments[k].name, departments[k].name, v)
            for k, v in per_department.items()
            if k in departments
        ),
        key=lambda f: f.label,
    )
    all_label = _("All")
    total_figures = (
        figures(None, all_label, "", total)
        if total
        else CashFigures(
            key=None, label=all_label, department="", count=0, within_day=0, median=None, p90=None
        )
    )
    return CashReport(
        since=since, until=until, by_policy=by_policy, by_department=by_department, total=total_figures
    )


def cash_chart(report: CashReport) -> dict[str, Any]:
    """ECharts options: median and 90th percentile (days) per department."""
    rows = report.by_department
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Median (days)"), _("90th percentile (days)")]},
        "grid": {"left": 48, "right": 16, "bottom": 64, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [r.label for r in rows],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "name": _("Days")},
        "series": [
            {"name": _("Median (days)"), "type": "bar", "data": [r.median_days for r in rows]},
            {"name": _("90th percentile (days)"), "type": "bar", "data": [r.p90_days for r in rows]},
        ],
    }

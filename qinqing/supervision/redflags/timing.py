"""Flags about when things happened: a decision taken outside working hours, and a
case approved far faster or slower than its policy's other cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import (
    Cast,
    CumeDist,
    ExtractHour,
    ExtractIsoWeekDay,
    ExtractMinute,
    Mod,
    RowNumber,
    TruncDate,
)
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qinqing.policies.models import Case, CaseReturn, CaseStatus, CaseStep, StepOutcome
from qinqing.policies.steps import step_label
from qinqing.workdays.models import CalendarDay, DayKind, HolidayName

from .base import SHANGHAI, EnterpriseRef, Finder, Reach, RedFlag, Severity, case_ref, local

# Decisions an official takes on a step (a step closed by a withdrawal is nobody's decision).
DECIDED = (StepOutcome.APPROVED, StepOutcome.REJECTED)
# A case whose last step was approved: its money was ordered.
APPROVED = (CaseStatus.PAYING, CaseStatus.PAID, CaseStatus.PAYMENT_FAILED)
# Before 06:00 and from 22:00 on: the night, not a late evening at the office.
NIGHT_ENDS, NIGHT_STARTS = 6 * 60, 22 * 60
SATURDAY = 6


def decided_steps(reach: Reach) -> QuerySet[CaseStep]:
    """Steps an official approved or rejected in the period, in reach (the step carries
    its case's department)."""
    return CaseStep.objects.filter(
        reach.q("organisation"), reach.within("ended_at"), actor__isnull=False, outcome__in=DECIDED
    )


# Beijing has kept UTC+8 all year since 1991 (no daylight saving), so its wall clock is
# the stored UTC instant shifted by a constant.
BEIJING_OFFSET_MINUTES = 8 * 60


def local_parts(field: str) -> dict[str, Any]:
    """The Beijing date (`local_day`), ISO weekday (`weekday`, Monday 1 … Sunday 7) and
    minute of the day (`minute`) of a datetime column. On SQLite with its own date
    functions: Django's time-zone functions call back into Python for every row, some
    twenty times slower over a year of decisions."""
    if connection.vendor != "sqlite":
        return {
            "local_day": TruncDate(field, tzinfo=SHANGHAI),
            "weekday": ExtractIsoWeekDay(field, tzinfo=SHANGHAI),
            "minute": ExtractHour(field, tzinfo=SHANGHAI) * 60 + ExtractMinute(field, tzinfo=SHANGHAI),
        }
    shift = Value(f"+{BEIJING_OFFSET_MINUTES} minutes")

    def part(pattern: str) -> Cast:
        return Cast(Func(Value(pattern), F(field), shift, function="strftime"), IntegerField())

    return {
        "local_day": Func(F(field), shift, function="date", output_field=DateField()),
        # %w counts Sunday as 0.
        "weekday": Mod(part("%w") + 6, 7) + 1,
        "minute": part("%H") * 60 + part("%M"),
    }


def when(moment: dt.datetime) -> dict[str, str]:
    """A Beijing instant's parts for the facts: weekday, date, time."""
    at = local(moment)
    return {"weekday": str(WEEKDAYS[at.weekday()]), "date": f"{at:%Y-%m-%d}", "time": f"{at:%H:%M}"}


# --- Decided outside working hours ---------------------------------------------------------------


class AfterHours(Finder):
    """A step approved or rejected on a day that is not a working day by the one
    calendar (a weekend that is not a make-up working day, a holiday), or outside the
    office hours (`QINQING_OFFICE_HOURS`, Beijing time)."""

    kind = "after_hours"

    def queryset(self, reach: Reach) -> QuerySet[CaseStep]:
        days = CalendarDay.objects.filter(date=OuterRef("local_day"))
        return (
            decided_steps(reach)
            .annotate(**local_parts("ended_at"))
            .annotate(
                holiday=Subquery(days.filter(kind=DayKind.HOLIDAY).values("name")[:1]),
                makeup=Exists(days.filter(kind=DayKind.MAKEUP_WORKDAY)),
            )
            .filter(
                Q(holiday__isnull=False)
                | Q(weekday__gte=SATURDAY, makeup=False)
                | Q(minute__lt=reach.settings.office_start_minute)
                | Q(minute__gte=reach.settings.office_end_minute)
            )
        )

    def count(self, reach: Reach) -> int:
        return self.queryset(reach).count()

    def rows(self, reach: Reach, offset: int, limit: int) -> list[RedFlag]:
        steps = (
            self.queryset(reach)
            .select_related("case", "case__enterprise", "case__policy", "organisation", "actor")
            .order_by("-ended_at", "-id")[offset : offset + limit]
        )
        return [self._flag(reach, step) for step in steps]

    def _flag(self, reach: Reach, step: Any) -> RedFlag:
        assert step.ended_at is not None
        at = local(step.ended_at)
        minute = at.hour * 60 + at.minute
        rest_day = step.holiday is not None or (at.isoweekday() >= SATURDAY and not step.makeup)
        outside = not reach.settings.office_start_minute <= minute < reach.settings.office_end_minute
        night = minute < NIGHT_ENDS or minute >= NIGHT_STARTS
        params = {"step": step_label(step), **when(step.ended_at)}
        what = (
            _("%(step)s approved on %(weekday)s %(date)s at %(time)s")
            if step.outcome == StepOutcome.APPROVED
            else _("%(step)s rejected on %(weekday)s %(date)s at %(time)s")
        ) % params
        reasons = []
        if step.holiday is not None:
            reasons.append(_("a public holiday (%(holiday)s)") % {"holiday": HolidayName(step.holiday).label})
        elif rest_day:
            reasons.append(_("a rest day"))
        if outside:
            reasons.append(_("outside office hours (%(hours)s)") % {"hours": reach.settings.office_hours})
        if rest_day and outside:
            severity = Severity.HIGH
        elif rest_day or night:
            severity = Severity.MEDIUM
        else:
            severity = Severity.LOW
        case = step.case
        return RedFlag(
            kind=self.kind,
            severity=severity,
            fact=_("%(what)s: %(why)s") % {"what": what, "why": _("; ").join(reasons)},
            at=step.ended_at,
            cases=(case_ref(case.public_id, case.reference),),
            enterprises=(
                EnterpriseRef(case.enterprise_id, case.enterprise.name, case.enterprise.credit_code),
            ),
            official=str(step.actor),
            official_id=step.actor_id,
            department=step.organisation.name,
            policy=case.policy.title,
            data={
                "step": step.key,
                "outcome": step.outcome,
                "local_time": at.replace(tzinfo=None).isoformat(timespec="minutes"),
                "rest_day": rest_day,
                "holiday": step.holiday or "",
                "outside_office_hours": outside,
                "office_hours": reach.settings.office_hours,
            },
        )


# --- Unusually fast or slow --------------------------------------------------------------------


def _took() -> Func:
    """Seconds from submission to the last approval. On SQLite by julianday (Django's
    duration arithmetic there calls back into Python for every row)."""
    if connection.vendor == "sqlite":
        return Func(
            Func(F("decided_at"), function="julianday", output_field=FloatField())
            - Func(F("submitted_at"), function="julianday", output_field=FloatField()),
            template="(%(expressions)s) * 86400.0",
            output_field=FloatField(),
        )
    waited = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    return Func(waited, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def approved_cases(reach: Reach) -> QuerySet[Case]:
    """Cases whose last step was approved in the period, in reach."""
    return Case.objects.filter(
        reach.q("organisation"), reach.within("decided_at"), status__in=APPROVED, decided_at__isnull=False
    )


def duration_text(took: dt.timedelta) -> str:
    seconds = max(0, int(took.total_seconds()))
    if seconds < 86_400:
        hours, rest = divmod(seconds, 3600)
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest // 60}
    return _("%(days)s days") % {"days": f"{seconds / 86_400:.1f}"}


class UnusualDuration(Finder):
    """A case approved (submission or confirmation → the last approval) faster than
    all but `duration_share` of its policy's cases approved in the period, or slower
    (by the cumulative distribution, in the database: a tie shares its rank), once the
    policy has at least `duration_min_cases` of them. Calendar time, pauses included:
    the fact says how often the case was returned for materials."""

    kind = "unusual_duration"

    def ranked(self, reach: Reach) -> QuerySet[Any]:
        took = _took()
        policy = [F("policy_id")]
        return approved_cases(reach).annotate(
            took=took,
            cases_in_norm=Window(Count("id"), partition_by=policy),
            faster_share=Window(CumeDist(), partition_by=policy, order_by=took.asc()),
            slower_share=Window(CumeDist(), partition_by=policy, order_by=took.desc()),
        )

    def queryset(self, reach: Reach) -> QuerySet[Any]:
        share = float(reach.settings.duration_share)
        return self.ranked(reach).filter(
            Q(faster_share__lte=share) | Q(slower_share__lte=share),
            cases_in_norm__gte=reach.settings.duration_min_cases,
        )

    def count(self, reach: Reach) -> int:
        return self.queryset(reach).count()

    def rows(self, reach: Reach, offset: int, limit: int) -> list[RedFlag]:
        # The ranks narrow (ids and figures: the windows sort every approved case), then
        # the page's cases in full.
        ranked = list(
            self.queryset(reach)
            .order_by("-decided_at", "-id")
            .values("id", "took", "cases_in_norm", "faster_share", "slower_share")[offset : offset + limit]
        )
        by_id = Case.objects.select_related("enterprise", "policy", "organisation").in_bulk(
            [r["id"] for r in ranked]
        )
        cases: list[Any] = []
        for row in ranked:
            case: Any = by_id[row["id"]]
            for name in ("cases_in_norm", "faster_share", "slower_share"):
                setattr(case, name, row[name])
            case.took = dt.timedelta(seconds=row["took"])
            cases.append(case)
        # Read for the page's cases only: a subquery in the ranked query would count the
        # returns of every approved case before the ranks are filtered.
        returned = dict(
            CaseReturn.objects.filter(case_id__in=[c.pk for c in cases])
            .order_by()
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        )
        for case in cases:
            case.returned = returned.get(case.pk, 0)
        medians = self._medians(reach, {c.policy_id for c in cases})
        return [self._flag(reach, case, medians.get(case.policy_id)) for case in cases]

    def _medians(self, reach: Reach, policies: set[int]) -> dict[int, dt.timedelta]:
        """The median time of each policy's approved cases in the period: the middle
        one or two by rank, in one query for the page's policies."""
        if not policies:
            return {}
        took = _took()
        n = Window(Count("id"), partition_by=[F("policy_id")])
        middle = (
            approved_cases(reach)
            .filter(policy_id__in=sorted(policies))
            .annotate(
                took=took,
                n=n,
                rank=Window(RowNumber(), partition_by=[F("policy_id")], order_by=[took.asc(), F("id").asc()]),
            )
            .filter(Q(rank=(F("n") + 1) / 2) | Q(rank=(F("n") + 2) / 2))
            .values_list("policy_id", "took")
        )
        picked: dict[int, list[dt.timedelta]] = {}
        for policy_id, value in middle:
            picked.setdefault(policy_id, []).append(dt.timedelta(seconds=value))
        return {k: sum(v, dt.timedelta()) / len(v) for k, v in picked.items()}

    def _flag(self, reach: Reach, case: Any, median: dt.timedelta | None) -> RedFlag:
        fast = case.faster_share <= float(reach.settings.duration_share)
        took: dt.timedelta = case.took
        ratio: float | None = None
        if median and median.total_seconds() > 0:
            ratio = took.total_seconds() / median.total_seconds()
        params = {
            "took": duration_text(took),
            "share": f"{reach.settings.duration_share * 100:.0f}%",
            "n": case.cases_in_norm,
            "median": duration_text(median) if median is not None else "—",
        }
        if fast:
            fact = (
                _(
                    "Approved %(took)s after submission: among the fastest %(share)s of the %(n)s cases "
                    "approved under this policy in the period (median %(median)s)"
                )
                % params
            )
            extreme = ratio is not None and ratio <= 0.1
            marked = ratio is not None and ratio <= 1 / 3
        else:
            fact = (
                _(
                    "Approved %(took)s after submission: among the slowest %(share)s of the %(n)s cases "
                    "approved under this policy in the period (median %(median)s)"
                )
                % params
            )
            extreme = ratio is None or ratio >= 10
            marked = ratio is None or ratio >= 3
        if case.returned:
            fact += _("; ") + ngettext(
                "returned once for materials", "returned %(n)s times for materials", case.returned
            ) % {"n": case.returned}
        severity = Severity.HIGH if extreme else Severity.MEDIUM if marked else Severity.LOW
        return RedFlag(
            kind=self.kind,
            severity=severity,
            fact=fact,
            at=case.decided_at,
            cases=(case_ref(case.public_id, case.reference),),
            enterprises=(
                EnterpriseRef(case.enterprise_id, case.enterprise.name, case.enterprise.credit_code),
            ),
            department=case.organisation.name,
            policy=case.policy.title,
            data={
                "direction": "fast" if fast else "slow",
                "seconds": round(took.total_seconds()),
                "median_seconds": round(median.total_seconds()) if median is not None else None,
                "cases_in_norm": case.cases_in_norm,
                "share_at_least_as_fast": round(case.faster_share, 4),
                "share_at_least_as_slow": round(case.slower_share, 4),
                "returns_for_materials": case.returned or 0,
                "ratio_to_median": round(ratio, 3) if ratio is not None else None,
            },
        )

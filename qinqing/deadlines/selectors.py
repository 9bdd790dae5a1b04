"""Reads of deadlines and alerts, always through the reader's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from qinqing.accounts.scoping import scope_records
from qinqing.common.errors import NotFound
from qinqing.workdays.calendar import CalendarYearNotSeeded, WorkCalendar, current_calendar

from .ladders import Ladder, Rung, effective_rungs, find_ladder, item_titles, registered_ladders
from .models import Alert, Deadline, DeadlineStatus, LadderOverride, RungName


def deadlines_visible(user: Any) -> QuerySet[Deadline]:
    """Deadlines in the user's scope (by their organisation), and those they own."""
    scoped = scope_records(user, Deadline.objects.all(), enterprise_field=None)
    if getattr(user, "is_authenticated", False):
        scoped = scoped | Deadline.objects.filter(owner=user)
    return scoped


def access_deadline_by_public_id(user: Any, public_id: Any) -> Deadline:
    deadline = (
        deadlines_visible(user).filter(public_id=public_id).select_related("organisation", "owner").first()
    )
    if deadline is None:
        raise NotFound()
    return deadline


def open_alerts(user: Any, *, rung: str = "", kind: str = "") -> QuerySet[Alert]:
    """Alerts of the open deadlines in the user's scope, for their current due date,
    most severe and newest first."""
    scoped = scope_records(
        user, Alert.objects.all(), organisation_field="deadline__organisation", enterprise_field=None
    )
    if getattr(user, "is_authenticated", False):
        scoped = scoped | Alert.objects.filter(deadline__owner=user)
    qs = scoped.filter(deadline__status=DeadlineStatus.OPEN, due_date=F("deadline__due_date"))
    if rung:
        qs = qs.filter(rung=rung)
    if kind:
        qs = qs.filter(deadline__kind=kind)
    return qs.select_related("deadline", "deadline__organisation", "deadline__owner").order_by(
        "-fired_on", "-id"
    )


def kind_label(kind: str) -> str:
    """A kind as people read it, in the active language (the code for an undeclared one)."""
    ladder = find_ladder(kind)
    return str(ladder.label) if ladder is not None else kind


def alert_kinds(user: Any) -> list[tuple[str, str]]:
    """The kinds of the user's open alerts, each with its label, in the label's order."""
    kinds = set(open_alerts(user).values_list("deadline__kind", flat=True).distinct())
    return sorted(((kind, kind_label(kind)) for kind in kinds), key=lambda pair: (pair[1], pair[0]))


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    deadline: Deadline
    rung_label: str
    kind_label: str
    # Working days past the due date, as every other page counts them (calendar days
    # only past the years the working-day calendar holds).
    days_overdue: int
    # The item's name in the reader's language.
    title: str

    @property
    def urgent(self) -> bool:
        return self.alert.rung in (RungName.ALARM, RungName.ESCALATION)


def working_days_overdue(due: dt.date, today: dt.date, calendar: WorkCalendar) -> int:
    """Working days from `due` to `today` (0 until it has passed)."""
    if today <= due:
        return 0
    try:
        return calendar.working_days_between(due, today)
    except CalendarYearNotSeeded:
        # A year the calendar does not hold yet: calendar days are the honest fallback.
        return (today - due).days


def deadline_titles(deadlines: Any) -> dict[int, str]:
    """Each deadline's name in the active language: what its kind calls the item, else
    the title stored when it was opened. One call per kind."""
    by_kind: dict[str, list[Deadline]] = {}
    for deadline in deadlines:
        by_kind.setdefault(deadline.kind, []).append(deadline)
    titles: dict[int, str] = {}
    for kind, group in by_kind.items():
        named = item_titles(kind, sorted({d.object_id for d in group}))
        for deadline in group:
            title = named.get(deadline.object_id)
            titles[deadline.pk] = str(title) if title is not None else str(deadline)
    return titles


def alert_rows(alerts: Any, *, today: dt.date | None = None) -> list[AlertRow]:
    today = today or timezone.localdate()
    alerts = list(alerts)
    labels = {ladder.kind: str(ladder.label) for ladder in registered_ladders()}
    titles = deadline_titles({alert.deadline_id: alert.deadline for alert in alerts}.values())
    calendar = current_calendar()
    rows = []
    for alert in alerts:
        deadline = alert.deadline
        rows.append(
            AlertRow(
                alert=alert,
                deadline=deadline,
                rung_label=str(RungName(alert.rung).label),
                kind_label=labels.get(deadline.kind, deadline.kind),
                days_overdue=working_days_overdue(deadline.due_date, today, calendar),
                title=titles[deadline.pk],
            )
        )
    return rows


@dataclass(frozen=True)
class LadderView:
    ladder: Ladder
    override: LadderOverride | None
    rungs: tuple[Rung, ...]


def ladder_views() -> list[LadderView]:
    """Every declared kind with the rungs in force (the admin's, else the code's)."""
    overrides = {o.kind: o for o in LadderOverride.objects.all()}
    views = []
    for ladder in registered_ladders():
        override = overrides.get(ladder.kind)
        rungs = effective_rungs(ladder.kind, kind_override=override.rungs if override else None)
        views.append(LadderView(ladder=ladder, override=override, rungs=rungs))
    return views

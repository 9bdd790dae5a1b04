"""Reads of deadlines and alerts, always through the reader's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from qinqing.accounts.scoping import scope_records
from qinqing.common.errors import NotFound

from .ladders import Ladder, Rung, effective_rungs, registered_ladders
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


def alert_kinds(user: Any) -> list[str]:
    return sorted(set(open_alerts(user).values_list("deadline__kind", flat=True).distinct()))


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    deadline: Deadline
    rung_label: str
    kind_label: str
    days_overdue: int

    @property
    def urgent(self) -> bool:
        return self.alert.rung in (RungName.ALARM, RungName.ESCALATION)


def alert_rows(alerts: Any, *, today: dt.date | None = None) -> list[AlertRow]:
    today = today or timezone.localdate()
    labels = {ladder.kind: str(ladder.label) for ladder in registered_ladders()}
    rows = []
    for alert in alerts:
        deadline = alert.deadline
        rows.append(
            AlertRow(
                alert=alert,
                deadline=deadline,
                rung_label=str(RungName(alert.rung).label),
                kind_label=labels.get(deadline.kind, deadline.kind),
                days_overdue=max(0, (today - deadline.due_date).days),
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

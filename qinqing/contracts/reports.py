"""Fulfilment figures: how many obligations are met on time, early, late, overdue, with
open alarms — per side, per department, per enterprise, per project. The dashboards, the
Excel exports and the public page read them from here; every figure is a database
aggregate over the queryset given (already scoped by the caller).

Definitions (binding for every page that shows them):
- total: obligations not cancelled;
- pending: without a due date yet; owed: open, claimed or disputed (dated, still owed);
- the due date judged against is always the contract's (`original_due_date`): an
  accepted remedy plan moves the date the ladder climbs to, never what counts as late;
- met: met in full; met_on_time: met in full on or before the due date (early ones
  included); met_early: met in full before the due date, with avg_days_early their mean;
  met_late: met in full after the due date, met_late_remedied those of them met by the
  date a remedy plan set; partly_met: a target partly reached;
- overdue_open: still owed with the due date passed (before today), a plan's later
  date or not;
- rescheduled: not cancelled, with a remedy plan accepted; rescheduled_repeatedly: with
  two or more (serial rescheduling, a red flag);
- moved_after_miss: whose contract's date, once passed unmet, was moved because its
  starting point's date changed (`MissedDateMove`: an event's date corrected, or the
  obligation it counts from settled by a claim on another day), cancelled since or not
  (the move happened). A date a calendar change would have moved is kept
  (`MissedDateKept`): it stays missed and is counted as such, not here;
- open_alarms / answered_alarms: the alarm loop's state (`selectors.with_alarm_state`);
- due_so_far: not cancelled, and either due before today or already (partly) met;
- fulfilment_rate: met_on_time / due_so_far (None when nothing is due yet).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    OWED_STATUSES,
    MissedDateMove,
    Obligation,
    ObligationStatus,
    ObligorSide,
    PlanStatus,
    RemedyPlan,
)

SIDES = (ObligorSide.GOVERNMENT.value, ObligorSide.ENTERPRISE.value)
_MET_ANY = [ObligationStatus.MET, ObligationStatus.PARTLY_MET]

COUNTS = (
    "total",
    "pending",
    "owed",
    "met",
    "met_on_time",
    "met_early",
    "met_late",
    "met_late_remedied",
    "partly_met",
    "overdue_open",
    "rescheduled",
    "rescheduled_repeatedly",
    "moved_after_miss",
    "open_alarms",
    "answered_alarms",
    "due_so_far",
    "cancelled",
)


def _with_alarms(qs: QuerySet[Obligation]) -> QuerySet[Obligation]:
    """The alarm loop's state, the number of remedy plans accepted and whether the
    contract's date moved after a miss, per obligation."""
    from .selectors import with_alarm_state

    accepted = (
        RemedyPlan.objects.filter(obligation=OuterRef("pk"), status=PlanStatus.ACCEPTED)
        .order_by()
        .values("obligation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return with_alarm_state(qs).annotate(
        accepted_plans=Coalesce(Subquery(accepted, output_field=IntegerField()), Value(0)),
        missed_date_moved=Exists(MissedDateMove.objects.filter(obligation=OuterRef("pk"))),
    )


def _aggregates(today: dt.date) -> dict[str, Any]:
    live = ~Q(status=ObligationStatus.CANCELLED)
    met = Q(status=ObligationStatus.MET)
    early = met & Q(days_early__gt=0)
    late = met & Q(days_early__lt=0)
    owed = Q(status__in=sorted(OWED_STATUSES))
    # The contract's date: a remedy plan's later date does not make anything timely.
    past_due = Q(original_due_date__lt=today)
    return {
        "total": Count("pk", filter=live),
        "pending": Count("pk", filter=Q(status=ObligationStatus.PENDING)),
        "owed": Count("pk", filter=owed),
        "met": Count("pk", filter=met),
        "met_on_time": Count("pk", filter=met & Q(days_early__gte=0)),
        "met_early": Count("pk", filter=early),
        "days_early_sum": Sum("days_early", filter=early),
        "met_late": Count("pk", filter=late),
        "met_late_remedied": Count(
            "pk", filter=late & Q(accepted_plans__gt=0) & Q(met_on__lte=F("due_date"))
        ),
        "partly_met": Count("pk", filter=Q(status=ObligationStatus.PARTLY_MET)),
        "overdue_open": Count("pk", filter=owed & past_due),
        "rescheduled": Count("pk", filter=live & Q(accepted_plans__gt=0)),
        "rescheduled_repeatedly": Count("pk", filter=live & Q(accepted_plans__gt=1)),
        "moved_after_miss": Count("pk", filter=Q(missed_date_moved=True)),
        "open_alarms": Count("pk", filter=Q(alarm_state="open")),
        "answered_alarms": Count("pk", filter=Q(alarm_state="answered")),
        "due_so_far": Count("pk", filter=live & (past_due | Q(status__in=_MET_ANY))),
        "cancelled": Count("pk", filter=Q(status=ObligationStatus.CANCELLED)),
    }


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    """Counts as ints, with the average days early and the fulfilment rate."""
    out: dict[str, Any] = {key: int(row.get(key) or 0) for key in COUNTS}
    days = int(row.get("days_early_sum") or 0)
    out["days_early_sum"] = days
    out["avg_days_early"] = round(days / out["met_early"], 1) if out["met_early"] else None
    out["fulfilment_rate"] = out["met_on_time"] / out["due_so_far"] if out["due_so_far"] else None
    return out


def _add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {key: int(a.get(key) or 0) + int(b.get(key) or 0) for key in (*COUNTS, "days_early_sum")}


def empty_figures() -> dict[str, Any]:
    return _finish({})


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def fulfilment_summary(
    obligations_qs: QuerySet[Obligation], *, today: dt.date | None = None
) -> dict[str, Any]:
    """{"government": figures, "enterprise": figures, "all": figures} in one query."""
    rows = (
        _with_alarms(obligations_qs).order_by().values("obligor_side").annotate(**_aggregates(_today(today)))
    )
    by_side = {row["obligor_side"]: row for row in rows}
    summary = {side: _finish(by_side.get(side, {})) for side in SIDES}
    total: dict[str, Any] = {}
    for row in by_side.values():
        total = _add(total, row)
    summary["all"] = _finish(total)
    return summary


def by_department(qs: QuerySet[Obligation], *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The government's obligations per obligor department, by name."""
    rows = (
        _with_alarms(qs.filter(obligor_side=ObligorSide.GOVERNMENT))
        .order_by()
        .values("obligor_department_id", "obligor_department__name")
        .annotate(**_aggregates(_today(today)))
        .order_by("obligor_department__name", "obligor_department_id")
    )
    return [
        {"id": row["obligor_department_id"], "name": row["obligor_department__name"], **_finish(row)}
        for row in rows
    ]


def by_enterprise(
    qs: QuerySet[Obligation], *, side: str | None = ObligorSide.ENTERPRISE, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Obligations per enterprise: by default the enterprises' own; `side=None` for both
    sides of their projects, `side="government"` for what the government owes them."""
    if side is not None:
        qs = qs.filter(obligor_side=side)
    rows = (
        _with_alarms(qs)
        .order_by()
        .values("project__enterprise_id", "project__enterprise__name", "project__enterprise__credit_code")
        .annotate(**_aggregates(_today(today)))
        .order_by("project__enterprise__name", "project__enterprise_id")
    )
    return [
        {
            "id": row["project__enterprise_id"],
            "name": row["project__enterprise__name"],
            "credit_code": row["project__enterprise__credit_code"],
            **_finish(row),
        }
        for row in rows
    ]


def by_project(qs: QuerySet[Obligation], *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per project: {"government", "enterprise", "all"} figures beside the project's
    reference, name, `enterprise_name` and `committee_name`."""
    rows = (
        _with_alarms(qs)
        .order_by()
        .values(
            "project_id",
            "project__public_id",
            "project__reference",
            "project__name",
            "project__enterprise__name",
            "project__committee__name",
            "obligor_side",
        )
        .annotate(**_aggregates(_today(today)))
        .order_by("project__reference", "project_id")
    )
    projects: dict[int, dict[str, Any]] = {}
    raw: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        pid = row["project_id"]
        if pid not in projects:
            projects[pid] = {
                "id": pid,
                "public_id": row["project__public_id"],
                "reference": row["project__reference"],
                "name": row["project__name"],
                # not "enterprise": that key holds the enterprise side's figures
                "enterprise_name": row["project__enterprise__name"],
                "committee_name": row["project__committee__name"],
            }
            raw[pid] = {}
        raw[pid][row["obligor_side"]] = row
    out = []
    for pid, project in projects.items():
        sides = raw[pid]
        total: dict[str, Any] = {}
        for row in sides.values():
            total = _add(total, row)
        out.append({**project, **{s: _finish(sides.get(s, {})) for s in SIDES}, "all": _finish(total)})
    return out


def by_zone(qs: QuerySet[Obligation], *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per management committee (zone): {"government", "enterprise", "all"} figures."""
    rows = (
        _with_alarms(qs)
        .order_by()
        .values(
            "project__committee_id",
            "project__committee__name",
            "project__committee__zone_name",
            "obligor_side",
        )
        .annotate(**_aggregates(_today(today)))
        .order_by("project__committee__name", "project__committee_id")
    )
    zones: dict[int, dict[str, Any]] = {}
    raw: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        zid = row["project__committee_id"]
        if zid not in zones:
            zones[zid] = {
                "id": zid,
                "name": row["project__committee__zone_name"] or row["project__committee__name"],
                "committee": row["project__committee__name"],
            }
            raw[zid] = {}
        raw[zid][row["obligor_side"]] = row
    out = []
    for zid, zone in zones.items():
        total: dict[str, Any] = {}
        for row in raw[zid].values():
            total = _add(total, row)
        out.append({**zone, **{s: _finish(raw[zid].get(s, {})) for s in SIDES}, "all": _finish(total)})
    return out


__all__ = [
    "COUNTS",
    "SIDES",
    "by_department",
    "by_enterprise",
    "by_project",
    "by_zone",
    "empty_figures",
    "fulfilment_summary",
]

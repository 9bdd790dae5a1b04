"""Due dates recomputed when their starting point happens or moves.

Called inside a service's transaction with the project row locked. Every dependent,
transitively, gets the date its rule now gives: a pending one that gets a date opens
(and its deadline with it), a dated one moves (and its ladder restarts for the new
date). Each change writes a `DueDateChange` and an audit event. A settled obligation
(met, partly met, cancelled) keeps the date it was settled against.

Two dates are kept: `original_due_date`, the contract's (what the rule gives: it follows
the starting point and the rule, never a remedy plan), against which lateness is judged;
and `due_date`, the date the ladder climbs to, which an accepted plan moves later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from qinqing.deadlines.services import hold_scan_lock
from qinqing.workdays.calendar import CalendarYearNotSeeded, WorkCalendar, current_calendar

from ..due import anchor_date_of_obligation, dependents_in_order, due_date_for
from ..models import (
    DueChangeReason,
    DueDateChange,
    Obligation,
    ObligationStatus,
    PlanStatus,
    Project,
    ProjectEvent,
    RemedyPlan,
)
from .common import audit, bump, lock_project, move_deadline, open_deadline, state, transition, user_or_none
from .common import today as current_day
from .missed import keep_missed_dates, missed_contract_date

_REASON_TEXT: dict[str, str] = {
    DueChangeReason.FIRST_DATED: "its starting point happened",
    DueChangeReason.ANCHOR_MOVED: "its starting point moved",
    DueChangeReason.RULE_CHANGED: "its due rule was changed",
    DueChangeReason.PLAN_ACCEPTED: "a remedy plan was accepted",
}


def is_settled(obligation: Obligation) -> bool:
    return obligation.met_on is not None or obligation.status == ObligationStatus.CANCELLED


def rule_due_date(
    obligation: Obligation,
    *,
    anchors: Mapping[int, Obligation] | None = None,
    event_dates: Mapping[int, dt.date | None] | None = None,
    calendar: WorkCalendar | None = None,
) -> dt.date | None:
    """The date the obligation's rule gives now (anchor obligations read from `anchors`,
    events' dates from `event_dates`, when given; else queried)."""
    anchor_date: dt.date | None = None
    if obligation.anchor_obligation_id is not None:
        anchor = (anchors or {}).get(obligation.anchor_obligation_id) or Obligation.objects.get(
            pk=obligation.anchor_obligation_id
        )
        anchor_date = anchor_date_of_obligation(met_on=anchor.met_on)
    elif (event_id := obligation.anchor_event_id) is not None:
        if event_dates is not None and event_id in event_dates:
            anchor_date = event_dates[event_id]
        else:
            anchor_date = (
                ProjectEvent.objects.filter(pk=event_id).values_list("occurred_on", flat=True).first()
            )
    return due_date_for(
        mode=obligation.due_mode,
        due_fixed=obligation.due_fixed,
        anchor_date=anchor_date,
        offset=obligation.offset,
        unit=obligation.offset_unit,
        calendar=calendar,
    )


def _event_dates(project: Project) -> dict[int, dt.date | None]:
    """When each of the project's events happened, in one query."""
    return dict(ProjectEvent.objects.filter(project_id=project.pk).values_list("pk", "occurred_on"))


def _accepted_plan_dates(project: Project) -> dict[int, dt.date]:
    """The latest accepted remedy plan's date of each of the project's obligations
    that has one, in one query."""
    return dict(
        RemedyPlan.objects.filter(obligation__project_id=project.pk, status=PlanStatus.ACCEPTED)
        .order_by()
        .values("obligation_id")
        .annotate(latest=Max("proposed_date"))
        .values_list("obligation_id", "latest")
    )


def set_due_date(
    *,
    actor: Any,
    obligation: Obligation,
    new_date: dt.date | None,
    reason: str,
    note: str = "",
    contract_date: dt.date | None = None,
) -> bool:
    """Give a (locked) obligation a new due date, with its trail and its deadline.

    Unless a remedy plan moves it, the contract's date (`original_due_date`) follows:
    `contract_date` when the rule gives another date than `new_date` (an accepted plan's
    later date kept as the due date), else `new_date`. Returns whether anything changed."""
    if new_date is None or is_settled(obligation):
        return False
    contract = obligation.original_due_date
    if reason != DueChangeReason.PLAN_ACCEPTED or contract is None:
        contract = contract_date or new_date
    if new_date == obligation.due_date:
        if contract == obligation.original_due_date:
            return False
        return _set_contract_date(
            actor=actor, obligation=obligation, contract=contract, reason=reason, note=note
        )
    before = state(obligation)
    old = obligation.due_date
    obligation.due_date = new_date
    fields = ["due_date"]
    if contract != obligation.original_due_date:
        obligation.original_due_date = contract
        fields.append("original_due_date")
    if old is None:
        if obligation.status == ObligationStatus.PENDING:
            transition(obligation, ObligationStatus.OPEN)
            fields.append("status")
        reason = DueChangeReason.FIRST_DATED if reason != DueChangeReason.RULE_CHANGED else reason
    DueDateChange.objects.create(
        obligation=obligation,
        old_date=old,
        new_date=new_date,
        reason=reason,
        note=note[:500],
        changed_by=user_or_none(actor),
        changed_at=timezone.now(),
    )
    if old is None:
        open_deadline(actor, obligation)
        fields.append("deadline")
    else:
        move_deadline(actor, obligation, _REASON_TEXT.get(reason, str(reason)))
    bump(obligation, *fields)
    audit(
        actor=actor,
        action="obligation.due_date",
        obj=obligation,
        project=obligation.project,
        before=before,
        after={**state(obligation), "reason": str(reason), "note": note[:500]},
    )
    return True


def _set_contract_date(
    *, actor: Any, obligation: Obligation, contract: dt.date, reason: str, note: str
) -> bool:
    """The rule's date moved while an accepted plan's later date stays the due date: only
    the contract's date changes (the ladder keeps climbing to the plan's date)."""
    before = state(obligation)
    obligation.original_due_date = contract
    bump(obligation, "original_due_date")
    audit(
        actor=actor,
        action="obligation.due_date",
        obj=obligation,
        project=obligation.project,
        before=before,
        after={**state(obligation), "reason": str(reason), "note": note[:500]},
    )
    return True


def recompute_dependents(
    *,
    actor: Any,
    project: Project,
    obligations: Iterable[int] = (),
    events: Iterable[int] = (),
    note: str = "",
) -> list[Obligation]:
    """Recompute every obligation counting (transitively) from the given obligations or
    events of `project`, whose row the caller holds locked. Returns those changed."""
    changed_obligations = set(obligations)
    changed_events = set(events)
    rows = {
        o.pk: o for o in Obligation.objects.select_for_update().filter(project_id=project.pk).order_by("pk")
    }
    anchor_of = {pk: o.anchor_obligation_id for pk, o in rows.items()}
    from_events = {pk for pk, o in rows.items() if o.anchor_event_id in changed_events}
    order = sorted(from_events) + [
        pk
        for pk in dependents_in_order(changed_obligations | from_events, anchor_of)
        if pk not in from_events
    ]
    calendar = current_calendar()
    event_dates = _event_dates(project)
    accepted_dates = _accepted_plan_dates(project)
    changed: list[Obligation] = []
    for pk in order:
        obligation = rows[pk]
        obligation.project = project
        if is_settled(obligation):
            continue
        new_date = rule_due_date(obligation, anchors=rows, event_dates=event_dates, calendar=calendar)
        if new_date is None:
            continue
        reason = DueChangeReason.ANCHOR_MOVED
        contract_date = new_date
        if obligation.due_date is not None:
            accepted = accepted_dates.get(pk)
            # An accepted plan's date is a promise the committee agreed to; a starting
            # point moving earlier does not take it back.
            if accepted is not None and accepted > new_date:
                new_date = accepted
        if set_due_date(
            actor=actor,
            obligation=obligation,
            new_date=new_date,
            reason=reason,
            note=note,
            contract_date=contract_date,
        ):
            changed.append(obligation)
    return changed


def obligations_redate_years(*, years: list[int], today: dt.date | None = None) -> int:
    """Recompute the due dates counted in working days across `years` after those years'
    calendar changed (a provisional year confirmed, a holiday or make-up day entered).
    Returns how many obligations got a new date; each gets its trail, its audit event
    and its ladder restarted. A date the calendar can no longer give (the year was
    withdrawn) is kept.

    A contract's date already missed (passed unmet before `today`) is kept too: the miss
    happened against the calendar in force then, its alarms and escalations went out for
    that date, and a calendar edit is nobody's account of this obligation, so it must
    neither erase the miss (a later date still to come) nor change how late it is. The
    date the changed calendar gives is recorded beside it (`MissedDateKept`, with its
    audit event) and the committee and the supervisors are told once per project
    (`missed.keep_missed_dates`). Moving it with a system reason would also be on
    record, but would let an edit of the calendar turn a miss into a date still to come
    on the dashboards and change the days late counted when it is met.

    Each project is its own transaction; safe to run twice (a date moved is not moved
    again, a date kept is recorded and told once)."""
    wanted = sorted(set(years))
    if not wanted:
        return 0
    # The span from the anchor to the due date touches one of the years only if the due
    # date is on or after the first of them (offsets are never negative).
    candidates = Obligation.objects.filter(
        due_mode="relative",
        offset_unit="working",
        due_date__gte=dt.date(wanted[0], 1, 1),
        met_on__isnull=True,
        status__in=[ObligationStatus.OPEN, ObligationStatus.CLAIMED, ObligationStatus.DISPUTED],
    )
    by_project: dict[int, set[int]] = {}
    for pk, project_id in candidates.values_list("pk", "project_id"):
        by_project.setdefault(project_id, set()).add(pk)
    # Read after every process's snapshot may be stale: the job runs late on purpose.
    calendar = current_calendar(max_age=0)
    day = today or current_day()
    changed = 0
    note = "working-day calendar of " + ", ".join(str(y) for y in wanted)
    for project_id, ids in sorted(by_project.items()):
        with transaction.atomic():
            hold_scan_lock()
            project = lock_project(project_id)
            rows = {
                o.pk: o for o in Obligation.objects.select_for_update().filter(project=project).order_by("pk")
            }
            event_dates = _event_dates(project)
            accepted_dates = _accepted_plan_dates(project)
            kept: list[tuple[Obligation, dt.date, dt.date]] = []
            for obligation in rows.values():
                if obligation.pk not in ids or is_settled(obligation) or obligation.due_date is None:
                    continue
                obligation.project = project
                try:
                    new_date = rule_due_date(
                        obligation, anchors=rows, event_dates=event_dates, calendar=calendar
                    )
                except CalendarYearNotSeeded:
                    continue
                contract_date = new_date
                missed_on = missed_contract_date(obligation, day)
                if missed_on is not None:
                    if contract_date is not None and contract_date != missed_on:
                        kept.append((obligation, missed_on, contract_date))
                    continue
                accepted = accepted_dates.get(obligation.pk)
                if new_date is not None and accepted is not None and accepted > new_date:
                    new_date = accepted
                if set_due_date(
                    actor=None,
                    obligation=obligation,
                    new_date=new_date,
                    reason=DueChangeReason.RULE_CHANGED,
                    note=note,
                    contract_date=contract_date,
                ):
                    changed += 1
            keep_missed_dates(project=project, kept=kept, years=wanted)
    return changed


__all__ = [
    "is_settled",
    "obligations_redate_years",
    "recompute_dependents",
    "rule_due_date",
    "set_due_date",
]

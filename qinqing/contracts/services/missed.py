"""A contract's date already missed is never moved silently.

Once an obligation's contract date (`original_due_date`) has passed unmet, the miss is
a fact lateness is judged by. What could move that date, and what happens then:

- its due rule edited (`obligations.obligation_change_rule`): refused; a later date
  comes through a remedy plan, which keeps the contract's date;
- its starting point's date changed: an event's date corrected
  (`projects.event_record`), or an anchor obligation's met date set anew by a claim
  confirmed or decided (`claims`). The starting point really moved, so the date
  follows, but only with a reason (a decided claim's is the decision's; otherwise the
  action is refused with code `reason_required` and nothing is saved): each such
  obligation keeps a `MissedDateMove` with its own audit event, the zone's committee and
  the supervisors covering it are told once per action, and the dashboards count it
  (`moved_after_miss`);
- the working-day calendar changed (`recompute.obligations_redate_years`): the date is
  kept and the date the changed calendar gives is recorded beside it
  (`MissedDateKept`, once per pair of dates, with its audit event and one message per
  project), so a calendar edit reaching back into a passed date neither erases the miss
  nor changes how late it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils import timezone

from qinqing.accounts.models import User

from ..models import (
    FulfilmentClaim,
    MissedDateKept,
    MissedDateMove,
    Obligation,
    ObligationStatus,
    Project,
    ProjectEvent,
)
from . import notices
from .common import audit
from .common import today as current_day

# An obligation whose contract's date moved, and the date it had missed.
Move = tuple[Obligation, dt.date]

MOVED_ACTION = "obligation.contract_date_moved_after_miss"
KEPT_ACTION = "obligation.contract_date_kept_after_miss"


def missed_contract_date(obligation: Obligation, today: dt.date | None = None) -> dt.date | None:
    """The contract's date of an obligation still owed after it (a miss), else None."""
    missed_on = obligation.original_due_date
    if missed_on is None or obligation.met_on is not None or obligation.status == ObligationStatus.CANCELLED:
        return None
    return missed_on if missed_on < (today or current_day()) else None


def missed_dates(project: Project, day: dt.date) -> dict[int, dt.date]:
    """The contract's dates of `project` already missed on `day` (passed unmet), by
    obligation: read before a recomputation may move them."""
    missed: dict[int, dt.date] = {}
    for obligation in Obligation.objects.filter(project_id=project.pk, original_due_date__lt=day):
        missed_on = missed_contract_date(obligation, day)
        if missed_on is not None:
            missed[obligation.pk] = missed_on
    return missed


def moved_misses(changed: Iterable[Obligation], missed: Mapping[int, dt.date]) -> list[Move]:
    """Of the obligations a recomputation changed, those whose missed date moved."""
    return [
        (obligation, missed[obligation.pk])
        for obligation in changed
        if obligation.pk in missed and obligation.original_due_date != missed[obligation.pk]
    ]


def moves_in_words(moves: Sequence[Move]) -> str:
    """“title”: missed date → new date; … in the active language."""
    return notices.moves_in_words(
        [
            (
                obligation.title,
                old.isoformat(),
                obligation.original_due_date.isoformat() if obligation.original_due_date else "—",
            )
            for obligation, old in moves
        ]
    )


def moves_extra(moves: Sequence[Move]) -> dict[str, Any]:
    """The moves as a refusal's `extra` (the API's error names each obligation)."""
    return {
        "obligations": [
            {
                "id": str(obligation.public_id),
                "missed_date": old.isoformat(),
                "new_date": obligation.original_due_date.isoformat()
                if obligation.original_due_date
                else None,
            }
            for obligation, old in moves
        ]
    }


def record_moves(
    *,
    actor: User,
    project: Project,
    moves: Sequence[Move],
    reason: str,
    anchor_before: dt.date | None,
    anchor_after: dt.date,
    event: ProjectEvent | None = None,
    claim: FulfilmentClaim | None = None,
) -> list[MissedDateMove]:
    """Keep each move with its audit event, and tell the committee and the supervisors
    once. Called in the transaction of the action that moved the starting point."""
    at = timezone.now()
    rows: list[MissedDateMove] = []
    for obligation, old in moves:
        assert obligation.original_due_date is not None
        row = MissedDateMove.objects.create(
            obligation=obligation,
            event=event,
            claim=claim,
            old_date=old,
            new_date=obligation.original_due_date,
            anchor_old_date=anchor_before,
            anchor_new_date=anchor_after,
            reason=reason,
            moved_by=actor,
            moved_at=at,
        )
        rows.append(row)
        if event is not None:
            cause: dict[str, Any] = {"event": event.pk, "event_key": event.key}
            before_key = after_key = "event_occurred_on"
        else:
            assert claim is not None
            cause = {"claim": claim.pk, "anchor_obligation": claim.obligation_id}
            before_key = after_key = "anchor_met_on"
        audit(
            actor=actor,
            action=MOVED_ACTION,
            obj=obligation,
            project=project,
            before={"original_due_date": old, before_key: anchor_before},
            after={
                "original_due_date": obligation.original_due_date,
                **cause,
                after_key: anchor_after,
                "reason": reason,
            },
        )
    notices.missed_dates_moved(project=project, moves=rows, actor=actor, event=event, claim=claim)
    return rows


def keep_missed_dates(
    *, project: Project, kept: Sequence[tuple[Obligation, dt.date, dt.date]], years: Sequence[int]
) -> list[MissedDateKept]:
    """Record, once per pair of dates, that the changed calendar gives another date than
    the contract's date each obligation missed (`kept`: obligation, missed date, the
    calendar's date); each new record gets its audit event, and the committee and the
    supervisors are told once per project of what is new. Run again (the job repeated
    after a crash), it finds the records and adds nothing. Called with the project row
    locked."""
    at = timezone.now()
    label = ", ".join(str(y) for y in sorted(set(years)))
    rows: list[MissedDateKept] = []
    for obligation, missed_on, calendar_date in kept:
        if MissedDateKept.objects.filter(
            obligation=obligation, missed_date=missed_on, calendar_date=calendar_date
        ).exists():
            continue
        row = MissedDateKept.objects.create(
            obligation=obligation,
            missed_date=missed_on,
            calendar_date=calendar_date,
            years=label[:100],
            recorded_at=at,
        )
        rows.append(row)
        audit(
            actor=None,
            action=KEPT_ACTION,
            obj=obligation,
            project=project,
            before={"original_due_date": missed_on},
            after={
                "original_due_date": missed_on,
                "calendar_due_date": calendar_date,
                "calendar_years": label,
            },
        )
    notices.missed_dates_kept(project=project, kept=rows)
    return rows


__all__ = [
    "KEPT_ACTION",
    "MOVED_ACTION",
    "Move",
    "keep_missed_dates",
    "missed_contract_date",
    "missed_dates",
    "moved_misses",
    "moves_extra",
    "moves_in_words",
    "record_moves",
]

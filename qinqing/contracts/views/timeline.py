"""How obligations are shown: their due rule in words, their status colour (tone), their
counts per side, and the rows of the project's Gantt chart.

Pure functions over already-loaded rows, so that the pages read each table once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from qinqing.contracts.models import (
    ClaimOutcome,
    DueMode,
    DueUnit,
    Obligation,
    ObligationStatus,
    ObligorSide,
    PlanStatus,
    ProjectEvent,
)
from qinqing.contracts.services.common import OWED_STATUSES

# Still owed and dated: past its due date it is late.

# The status colours, the same on the chart, the badges and the table.
TONES: dict[str, str] = {
    "met": "#198754",  # met early or on time: green
    "partly": "#e0a800",  # partly met: amber
    "late": "#dc3545",  # overdue, alarm, or met late: red
    "open": "#0d6efd",  # owed, not yet due: blue
    "pending": "#adb5bd",  # waiting for its starting point: grey
    "cancelled": "#dee2e6",
}
BADGES: dict[str, str] = {
    "met": "text-bg-success",
    "partly": "text-bg-warning",
    "late": "text-bg-danger",
    "open": "text-bg-primary",
    "pending": "text-bg-secondary",
    "cancelled": "text-bg-light",
}


def status_label(status: str) -> str:
    """An obligation's status in words. "Met" and its kin carry a context here: other
    apps' catalogues, which take precedence, translate the bare word differently
    (a deadline met on time), and a contract obligation may be met late."""
    if status == ObligationStatus.MET:
        return pgettext("obligation status", "Met")
    return str(ObligationStatus(status).label)


def outcome_label(outcome: str) -> str:
    if outcome == ClaimOutcome.MET:
        return pgettext("obligation status", "Met")
    return str(ClaimOutcome(outcome).label) if outcome else ""


def plan_status_label(status: str) -> str:
    if status == PlanStatus.ACCEPTED:
        return pgettext("remedy plan", "Accepted")
    if status == PlanStatus.REJECTED:
        return pgettext("remedy plan", "Rejected")
    return str(PlanStatus(status).label)


def contract_due(obligation: Obligation) -> dt.date | None:
    """The contract's due date, against which lateness is judged (a remedy plan's later
    date is only where the ladder climbs to)."""
    return obligation.original_due_date or obligation.due_date


def remedied_per_plan(obligation: Obligation) -> bool:
    """Met late, but by the later date of a remedy plan the committee accepted."""
    contract = contract_due(obligation)
    return bool(
        obligation.met_on is not None
        and obligation.due_date is not None
        and contract is not None
        and contract < obligation.met_on <= obligation.due_date
    )


def tone(obligation: Obligation, today: dt.date) -> str:
    status = obligation.status
    if status == ObligationStatus.CANCELLED:
        return "cancelled"
    if status == ObligationStatus.MET:
        return "late" if (obligation.days_early or 0) < 0 else "met"
    if status == ObligationStatus.PARTLY_MET:
        return "partly"
    contract = contract_due(obligation)
    if status == ObligationStatus.PENDING or contract is None:
        return "pending"
    if getattr(obligation, "alarm_state", "") == "open" or contract < today:
        return "late"
    return "open"


def tone_label(value: str) -> str:
    return {
        "met": _("Met early or on time"),
        "partly": _("Partly met"),
        "late": _("Overdue, alarm or met late"),
        "open": _("Owed, not yet due"),
        "pending": _("Waiting for its starting point"),
        "cancelled": _("Cancelled"),
    }[value]


def legend() -> list[dict[str, str]]:
    return [
        {"tone": t, "label": tone_label(t), "badge": BADGES[t]}
        for t in ("met", "partly", "late", "open", "pending")
    ]


def _unit_phrase(offset: int, unit: str) -> str:
    if unit == DueUnit.WORKING:
        return ngettext("%(n)d working day", "%(n)d working days", offset) % {"n": offset}
    if unit == DueUnit.MONTHS:
        return ngettext("%(n)d month", "%(n)d months", offset) % {"n": offset}
    return ngettext("%(n)d day", "%(n)d days", offset) % {"n": offset}


def rule_in_words(
    obligation: Obligation,
    *,
    anchors: Mapping[int, Obligation] | None = None,
    events: Mapping[int, ProjectEvent] | None = None,
) -> str:
    """ "On 2026-05-01", "Within 6 months of land delivery", "20 working days after the
    construction permit was applied for". `anchors` and `events` (by pk) spare a query."""
    if obligation.due_mode == DueMode.ABSOLUTE:
        fixed = obligation.due_fixed.isoformat() if obligation.due_fixed else "—"
        return _("On a fixed date: %(date)s") % {"date": fixed}
    if obligation.anchor_obligation_id is not None:
        anchor_ob = (anchors or {}).get(obligation.anchor_obligation_id) or obligation.anchor_obligation
        anchor = _("“%(title)s” being met") % {"title": anchor_ob.title if anchor_ob else "—"}
    else:
        event = None
        if obligation.anchor_event_id is not None:
            event = (events or {}).get(obligation.anchor_event_id) or obligation.anchor_event
        anchor = event_label(event) if event else "—"
    span = _unit_phrase(obligation.offset, obligation.offset_unit)
    return _("Within %(span)s of %(anchor)s") % {"span": span, "anchor": anchor}


def event_label(event: ProjectEvent) -> str:
    if event.label:
        return event.label
    from qinqing.contracts.models import EventKey

    try:
        return str(EventKey(event.key).label)
    except ValueError:
        return event.key


def start_date(
    obligation: Obligation,
    *,
    anchors: Mapping[int, Obligation],
    events: Mapping[int, ProjectEvent],
    signed_on: dt.date,
) -> dt.date:
    """Where the obligation's bar starts: the date it counts from, else the signing of
    its contract."""
    if obligation.anchor_obligation_id is not None:
        anchor = anchors.get(obligation.anchor_obligation_id)
        if anchor is not None and anchor.met_on is not None:
            return anchor.met_on
    if obligation.anchor_event_id is not None:
        event = events.get(obligation.anchor_event_id)
        if event is not None and event.occurred_on is not None:
            return event.occurred_on
    return signed_on


@dataclass
class SideCounts:
    total: int = 0
    on_time: int = 0
    early: int = 0
    partly: int = 0
    late: int = 0
    alarms: int = 0
    answered: int = 0


@dataclass
class ProjectCounts:
    enterprise: SideCounts = field(default_factory=SideCounts)
    government: SideCounts = field(default_factory=SideCounts)


def count_rows(rows: Iterable[Mapping[str, Any]], today: dt.date) -> dict[int, ProjectCounts]:
    """Counts per project and side from `values()` rows carrying project_id,
    obligor_side, status, original_due_date (else due_date), days_early and alarm_state."""
    out: dict[int, ProjectCounts] = {}
    for row in rows:
        if row["status"] == ObligationStatus.CANCELLED:
            continue
        counts = out.setdefault(row["project_id"], ProjectCounts())
        side = counts.enterprise if row["obligor_side"] == ObligorSide.ENTERPRISE else counts.government
        side.total += 1
        # The same definitions as `reports`: on time and late count obligations met in
        # full; a partly met target is counted apart.
        days_early = row["days_early"] or 0
        if row["status"] == ObligationStatus.MET:
            if days_early >= 0:
                side.on_time += 1
                side.early += days_early > 0
            else:
                side.late += 1
        elif row["status"] == ObligationStatus.PARTLY_MET:
            side.partly += 1
        elif row["status"] in OWED_STATUSES:
            contract = row.get("original_due_date") or row["due_date"]
            side.late += contract is not None and contract < today
        if row.get("alarm_state") == "open":
            side.alarms += 1
        elif row.get("alarm_state") == "answered":
            side.answered += 1
    return out


@dataclass(frozen=True)
class Row:
    """One obligation on the project's timeline."""

    obligation: Obligation
    rule: str
    tone: str
    start: dt.date
    url: str

    @property
    def badge(self) -> str:
        return BADGES[self.tone]

    @property
    def status_label(self) -> str:
        return status_label(self.obligation.status)

    @property
    def days_late(self) -> int:
        days_early = self.obligation.days_early
        return -days_early if days_early is not None and days_early < 0 else 0

    @property
    def remedied(self) -> bool:
        return remedied_per_plan(self.obligation)

    @property
    def moved(self) -> bool:
        ob = self.obligation
        return bool(ob.original_due_date and ob.due_date and ob.original_due_date != ob.due_date)


def timeline_rows(
    obligations: Iterable[Obligation],
    *,
    events: Iterable[ProjectEvent],
    signed_on: Mapping[int, dt.date],
    default_signed_on: dt.date,
    today: dt.date,
    url_for: Any,
) -> list[Row]:
    """The enterprise's rows first, then the government's, each in due order (pending
    ones last). `signed_on` maps a clause's contract id to its signing date."""
    obligations = list(obligations)
    anchors = {ob.pk: ob for ob in obligations}
    by_event = {ev.pk: ev for ev in events}
    rows = [
        Row(
            obligation=ob,
            rule=rule_in_words(ob, anchors=anchors, events=by_event),
            tone=tone(ob, today),
            start=start_date(
                ob,
                anchors=anchors,
                events=by_event,
                signed_on=signed_on.get(ob.clause.contract_id, default_signed_on),
            ),
            url=url_for(ob),
        )
        for ob in obligations
    ]
    side_order: dict[str, int] = {ObligorSide.ENTERPRISE: 0, ObligorSide.GOVERNMENT: 1}
    rows.sort(
        key=lambda r: (
            side_order.get(r.obligation.obligor_side, 2),
            r.obligation.due_date is None,
            r.obligation.due_date or dt.date.max,
            r.obligation.position,
            r.obligation.pk,
        )
    )
    return rows


def gantt_data(rows: Iterable[Row], *, today: dt.date) -> dict[str, Any]:
    """What gantt.js draws: one bar per obligation (cancelled ones left out), its met
    date and, beside a moved due date, the original one."""
    bars = []
    for row in rows:
        ob = row.obligation
        if ob.status == ObligationStatus.CANCELLED:
            continue
        owner = (
            _("Enterprise") if ob.obligor_side == ObligorSide.ENTERPRISE else str(ob.obligor_department or "")
        )
        end = ob.due_date or max(today, row.start)
        bars.append(
            {
                "label": ob.title,
                "owner": owner,
                "side": ob.obligor_side,
                "start": row.start.isoformat(),
                "end": end.isoformat(),
                "due": ob.due_date.isoformat() if ob.due_date else None,
                "original": ob.original_due_date.isoformat() if row.moved and ob.original_due_date else None,
                "met": ob.met_on.isoformat() if ob.met_on else None,
                "status": status_label(ob.status),
                "tone": row.tone,
                "colour": TONES[row.tone],
                "url": row.url,
            }
        )
    return {
        "bars": bars,
        "today": today.isoformat(),
        "labels": {
            "enterprise": _("Enterprise's obligations"),
            "government": _("Government's obligations"),
            "start": _("Counted from"),
            "due": _("Due date"),
            "original": _("Original due date"),
            "met": _("Met on"),
            "today": _("Today"),
            "status": _("Status"),
            "pending": _("not yet dated"),
        },
    }

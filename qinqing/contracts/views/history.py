"""An obligation's history on one line of time: due-date changes, contract dates moved
after a miss or kept through a calendar change, fulfilment claims with their evidence and answers, remedy plans and
decisions, and the alerts its deadline ladder fired."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qinqing.contracts.models import (
    ClaimEvidence,
    FulfilmentClaim,
    MissedDateKept,
    MissedDateMove,
    Obligation,
    RemedyPlan,
)
from qinqing.deadlines.models import Alert

from .timeline import outcome_label, plan_status_label


@dataclass(frozen=True)
class Entry:
    """One line of the history. `kind` chooses how the template shows it."""

    when: dt.datetime
    # due_change, missed_move, missed_kept, claim, claim_answer, claim_decision, plan,
    # plan_decision, alert
    kind: str
    record: Any
    who: Any = None
    links: list[tuple[str, str]] = field(default_factory=list)
    label: str = ""  # the claim's outcome or the plan's status, in words


def evidence_url(evidence: ClaimEvidence) -> str:
    try:
        return reverse("contracts:evidence", args=[evidence.public_id])
    except NoReverseMatch:
        return ""


def _at(day: dt.date) -> dt.datetime:
    """An alert fired on a day without a time is placed at the start of that day."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def obligation_history(obligation: Obligation, *, alerts: list[Alert]) -> list[Entry]:
    entries: list[Entry] = []
    for change in obligation.due_changes.select_related("changed_by").order_by("changed_at", "id"):
        entries.append(Entry(when=change.changed_at, kind="due_change", record=change, who=change.changed_by))
    moves = (
        MissedDateMove.objects.filter(obligation=obligation)
        .select_related("event", "claim__obligation", "moved_by")
        .order_by("moved_at", "id")
    )
    for move in moves:
        entries.append(Entry(when=move.moved_at, kind="missed_move", record=move, who=move.moved_by))
    for kept in MissedDateKept.objects.filter(obligation=obligation).order_by("recorded_at", "id"):
        entries.append(Entry(when=kept.recorded_at, kind="missed_kept", record=kept))
    claims = (
        FulfilmentClaim.objects.filter(obligation=obligation)
        .select_related("claimed_by", "answered_by", "decided_by")
        .prefetch_related(Prefetch("evidence", queryset=ClaimEvidence.objects.order_by("uploaded_at", "id")))
        .order_by("claimed_at", "id")
    )
    for claim in claims:
        links = [(e.original_name, evidence_url(e)) for e in claim.evidence.all()]
        entries.append(
            Entry(when=claim.claimed_at, kind="claim", record=claim, who=claim.claimed_by, links=links)
        )
        if claim.answered_at is not None:
            entries.append(
                Entry(
                    when=claim.answered_at,
                    kind="claim_answer",
                    record=claim,
                    who=claim.answered_by,
                    label=outcome_label(claim.outcome),
                )
            )
        if claim.decided_at is not None:
            entries.append(
                Entry(
                    when=claim.decided_at,
                    kind="claim_decision",
                    record=claim,
                    who=claim.decided_by,
                    label=outcome_label(claim.outcome),
                )
            )
    plans = (
        RemedyPlan.objects.filter(obligation=obligation)
        .select_related("submitted_by", "decided_by")
        .order_by("submitted_at", "id")
    )
    for plan in plans:
        entries.append(
            Entry(
                when=plan.submitted_at,
                kind="plan",
                record=plan,
                who=plan.submitted_by,
                label=plan_status_label(plan.status),
            )
        )
        if plan.decided_at is not None:
            entries.append(
                Entry(when=plan.decided_at, kind="plan_decision", record=plan, who=plan.decided_by)
            )
    for alert in alerts:
        entries.append(Entry(when=alert.fired_at or _at(alert.fired_on), kind="alert", record=alert))
    entries.sort(key=lambda e: e.when)
    return entries

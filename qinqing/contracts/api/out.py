"""What the contract API answers: projects with their contracts, clauses and events,
obligations with their due rule, due-date changes, claims with evidence, remedy plans
and alerts. Amounts and targets are decimal strings, dates ISO, records named by
public ids. Officials' names are shown to officials only (an enterprise sees that its
claim was confirmed, not by whom)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from qinqing.deadlines.models import Alert

from .. import ladders
from ..models import (
    OPEN_STATUSES,
    ClaimEvidence,
    Contract,
    FulfilmentClaim,
    Obligation,
    ObligorSide,
    Project,
    ProjectEvent,
    RemedyPlan,
)
from ..worklist import ClaimRow

BASE = "/api/v1/contracts"


# --- Projects -------------------------------------------------------------------------------


class ProjectSummaryOut(Schema):
    public_id: uuid.UUID
    reference: str
    name: str
    enterprise: uuid.UUID
    enterprise_name: str
    committee: str = Field(..., description="Code of the management committee")
    committee_name: str
    industry: str
    planned_investment: Decimal = Field(..., description="Yuan, a decimal string")
    land_parcel: str
    land_area_mu: Decimal | None
    location: str
    signed_on: dt.date
    status: str
    status_label: str


class PageOfProjects(Schema):
    count: int
    items: list[ProjectSummaryOut]


def project_summary(project: Project) -> dict[str, Any]:
    return {
        "public_id": project.public_id,
        "reference": project.reference,
        "name": project.name,
        "enterprise": project.enterprise.public_id,
        "enterprise_name": project.enterprise.name,
        "committee": project.committee.code,
        "committee_name": project.committee.name,
        "industry": project.industry,
        "planned_investment": project.planned_investment,
        "land_parcel": project.land_parcel,
        "land_area_mu": project.land_area_mu,
        "location": project.location,
        "signed_on": project.signed_on,
        "status": project.status,
        "status_label": str(project.get_status_display()),
    }


class ClauseOut(Schema):
    number: str
    title: str
    text: str
    ladder: list[dict[str, Any]] | None


class ContractOut(Schema):
    public_id: uuid.UUID
    project: uuid.UUID
    kind: str
    kind_label: str
    number: str
    title: str
    government_party: str = Field(..., description="Organisation code")
    government_party_name: str
    signed_on: dt.date
    value: Decimal | None = Field(..., description="Yuan, a decimal string")
    status: str
    status_label: str
    amends: uuid.UUID | None
    clauses: list[ClauseOut]


def contract_out(contract: Contract) -> dict[str, Any]:
    return {
        "public_id": contract.public_id,
        "project": contract.project.public_id,
        "kind": contract.kind,
        "kind_label": str(contract.get_kind_display()),
        "number": contract.number,
        "title": contract.title,
        "government_party": contract.government_party.code,
        "government_party_name": contract.government_party.name,
        "signed_on": contract.signed_on,
        "value": contract.value,
        "status": contract.status,
        "status_label": str(contract.get_status_display()),
        "amends": contract.amends.public_id if contract.amends_id and contract.amends else None,
        "clauses": [
            {"number": c.number, "title": c.title, "text": c.text, "ladder": c.ladder}
            for c in contract.clauses.all()
        ],
    }


class EventOut(Schema):
    key: str
    label: str
    occurred_on: dt.date | None = Field(..., description="Empty while it has not happened")
    note: str


def event_out(event: ProjectEvent) -> dict[str, Any]:
    return {"key": event.key, "label": event.label, "occurred_on": event.occurred_on, "note": event.note}


# --- Obligations ----------------------------------------------------------------------------


class DueRuleOut(Schema):
    mode: str
    date: dt.date | None = Field(..., description="The fixed date (absolute rules)")
    anchor_obligation: uuid.UUID | None
    anchor_event: str | None = Field(..., description="Key of the project event counted from")
    offset: int
    unit: str


class ObligationOut(Schema):
    public_id: uuid.UUID
    project: uuid.UUID
    project_name: str
    contract: uuid.UUID
    contract_number: str
    clause: str
    obligor_side: str
    obligor_department: str | None = Field(..., description="Organisation code (government side)")
    obligor_name: str
    kind: str
    kind_label: str
    title: str
    description: str
    due_rule: DueRuleOut
    due_date: dt.date | None = Field(
        ..., description="Where the deadline ladder climbs to: the contract's, or an accepted remedy plan's"
    )
    original_due_date: dt.date | None = Field(
        ..., description="The contract's due date (never moved by a remedy plan): lateness is judged by it"
    )
    target_value: Decimal | None = Field(..., description="A decimal string")
    target_unit: str
    achieved_value: Decimal | None
    status: str
    status_label: str
    met_on: dt.date | None
    days_early: int | None = Field(
        ...,
        description="Calendar days before the contract's due date: positive when early, negative when late",
    )
    remedied_per_plan: bool = Field(..., description="Met late, but by the date of an accepted remedy plan")
    overdue: bool = Field(..., description="Still owed past the contract's due date")
    alarm_state: str = Field(..., description='"" (no alarm), "open" (unanswered) or "answered"')
    revision: int = Field(..., description="Send it back with an action; a stale one is refused (409)")


class PageOfObligations(Schema):
    count: int
    items: list[ObligationOut]


class ClaimWaitingOut(Schema):
    claim: uuid.UUID
    status: str = Field(
        ..., description='"pending" (awaiting confirmation) or "disputed" (awaiting the committee)'
    )
    answered_by: str = Field(..., description='Who is to answer: "committee" or "enterprise"')
    claimed_at: dt.datetime
    waited_days: int = Field(..., description="Calendar days since the claim (Beijing dates)")
    met_on: dt.date = Field(..., description="The date the claim says the obligation was met")
    achieved_value: Decimal | None
    late: bool = Field(..., description="Claimed as met after the contract's due date")
    obligation: uuid.UUID
    obligation_title: str
    obligor_side: str
    obligor_name: str
    original_due_date: dt.date | None = Field(..., description="The contract's due date")
    due_date: dt.date | None
    project: uuid.UUID
    project_reference: str
    project_name: str


class PageOfClaims(Schema):
    count: int
    items: list[ClaimWaitingOut]


def claim_waiting_out(row: ClaimRow) -> dict[str, Any]:
    claim, o = row.claim, row.obligation
    return {
        "claim": claim.public_id,
        "status": claim.status,
        "answered_by": row.answered_by,
        "claimed_at": claim.claimed_at,
        "waited_days": row.waited_days,
        "met_on": claim.met_on,
        "achieved_value": claim.achieved_value,
        "late": row.late,
        "obligation": o.public_id,
        "obligation_title": o.title,
        "obligor_side": o.obligor_side,
        "obligor_name": row.obligor,
        "original_due_date": o.original_due_date,
        "due_date": o.due_date,
        "project": o.project.public_id,
        "project_reference": o.project.reference,
        "project_name": o.project.name,
    }


def is_overdue(obligation: Obligation, today: dt.date) -> bool:
    contract = obligation.original_due_date or obligation.due_date
    return obligation.status in OPEN_STATUSES and contract is not None and contract < today


def obligation_out(o: Obligation, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    department = o.obligor_department
    return {
        "public_id": o.public_id,
        "project": o.project.public_id,
        "project_name": o.project.name,
        "contract": o.clause.contract.public_id,
        "contract_number": o.clause.contract.number,
        "clause": o.clause.number,
        "obligor_side": o.obligor_side,
        "obligor_department": department.code if department else None,
        "obligor_name": department.name
        if o.obligor_side == ObligorSide.GOVERNMENT and department
        else o.project.enterprise.name,
        "kind": o.kind,
        "kind_label": str(o.get_kind_display()),
        "title": o.title,
        "description": o.description,
        "due_rule": {
            "mode": o.due_mode,
            "date": o.due_fixed,
            "anchor_obligation": o.anchor_obligation.public_id
            if o.anchor_obligation_id and o.anchor_obligation
            else None,
            "anchor_event": o.anchor_event.key if o.anchor_event_id and o.anchor_event else None,
            "offset": o.offset,
            "unit": o.offset_unit,
        },
        "due_date": o.due_date,
        "original_due_date": o.original_due_date,
        "target_value": o.target_value,
        "target_unit": o.target_unit,
        "achieved_value": o.achieved_value,
        "status": o.status,
        "status_label": str(o.get_status_display()),
        "met_on": o.met_on,
        "days_early": o.days_early,
        "remedied_per_plan": bool(
            o.met_on is not None
            and o.due_date is not None
            and o.original_due_date is not None
            and o.original_due_date < o.met_on <= o.due_date
        ),
        "overdue": is_overdue(o, today),
        "alarm_state": getattr(o, "alarm_state", "") or "",
        "revision": o.revision,
    }


class ProjectOut(ProjectSummaryOut):
    description: str
    contracts: list[ContractOut]
    events: list[EventOut]
    enterprise_obligations: list[ObligationOut] = Field(..., description="The enterprise's, by due date")
    government_obligations: list[ObligationOut] = Field(..., description="The government's, by due date")


def project_out(project: Project, contracts: list[Contract], obligations: list[Obligation]) -> dict[str, Any]:
    today = timezone.localdate()
    rows = [obligation_out(o, today) for o in obligations]
    return {
        **project_summary(project),
        "description": project.description,
        "contracts": [contract_out(c) for c in contracts],
        "events": [event_out(e) for e in project.events.all()],
        "enterprise_obligations": [r for r in rows if r["obligor_side"] == ObligorSide.ENTERPRISE],
        "government_obligations": [r for r in rows if r["obligor_side"] == ObligorSide.GOVERNMENT],
    }


# --- One obligation with everything ---------------------------------------------------------


class DueChangeOut(Schema):
    old_date: dt.date | None
    new_date: dt.date | None
    reason: str
    reason_label: str
    note: str
    changed_at: dt.datetime
    changed_by: str | None = None


class EvidenceOut(Schema):
    public_id: uuid.UUID
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    download: str


class ClaimOut(Schema):
    public_id: uuid.UUID
    status: str
    status_label: str
    outcome: str
    met_on: dt.date
    achieved_value: Decimal | None
    note: str
    claimed_at: dt.datetime
    answered_at: dt.datetime | None
    dispute_reason: str
    decided_at: dt.datetime | None
    decision_reason: str
    evidence: list[EvidenceOut]
    claimed_by: str | None = None
    answered_by: str | None = None
    decided_by: str | None = None


class PlanOut(Schema):
    public_id: uuid.UUID
    due_date: dt.date = Field(..., description="The due date whose alarm it answers")
    cause: str
    remedy: str
    proposed_date: dt.date
    status: str
    status_label: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    submitted_by: str | None = None
    decided_by: str | None = None


class AlertOut(Schema):
    rung: str
    rung_label: str
    due_date: dt.date
    rung_on: dt.date
    fired_on: dt.date


class ObligationDetailOut(ObligationOut):
    due_changes: list[DueChangeOut]
    claims: list[ClaimOut]
    plans: list[PlanOut]
    alerts: list[AlertOut]
    actions: list[str] = Field(
        ..., description="What I may do now (claim, confirm, dispute, decide, plan, …)"
    )


def _name(user: Any, names: bool) -> str | None:
    return str(user) if names and user is not None else None


def evidence_out(e: ClaimEvidence) -> dict[str, Any]:
    return {
        "public_id": e.public_id,
        "original_name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "sha256": e.sha256,
        "uploaded_at": e.uploaded_at,
        "download": f"{BASE}/evidence/{e.public_id}",
    }


def claim_out(c: FulfilmentClaim, *, names: bool) -> dict[str, Any]:
    return {
        "public_id": c.public_id,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "outcome": c.outcome,
        "met_on": c.met_on,
        "achieved_value": c.achieved_value,
        "note": c.note,
        "claimed_at": c.claimed_at,
        "answered_at": c.answered_at,
        "dispute_reason": c.dispute_reason,
        "decided_at": c.decided_at,
        "decision_reason": c.decision_reason,
        "evidence": [evidence_out(e) for e in c.evidence.all()],
        "claimed_by": _name(c.claimed_by, names),
        "answered_by": _name(c.answered_by, names),
        "decided_by": _name(c.decided_by, names),
    }


def plan_out(p: RemedyPlan, *, names: bool) -> dict[str, Any]:
    return {
        "public_id": p.public_id,
        "due_date": p.due_date,
        "cause": p.cause,
        "remedy": p.remedy,
        "proposed_date": p.proposed_date,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "submitted_at": p.submitted_at,
        "decided_at": p.decided_at,
        "decision_reason": p.decision_reason,
        "submitted_by": _name(p.submitted_by, names),
        "decided_by": _name(p.decided_by, names),
    }


def obligation_alerts(obligation: Obligation) -> list[Alert]:
    """The rungs the obligation's deadlines reached, newest first."""
    return list(
        Alert.objects.filter(
            deadline__object_type=ladders.OBJECT_TYPE, deadline__object_id=str(obligation.pk)
        ).order_by("-fired_at", "-id")
    )


def obligation_detail(o: Obligation, *, names: bool, actions: frozenset[str]) -> dict[str, Any]:
    claims = o.claims.select_related("claimed_by", "answered_by", "decided_by").prefetch_related("evidence")
    plans = o.plans.select_related("submitted_by", "decided_by")
    return {
        **obligation_out(o),
        "due_changes": [
            {
                "old_date": d.old_date,
                "new_date": d.new_date,
                "reason": d.reason,
                "reason_label": str(d.get_reason_display()),
                "note": d.note,
                "changed_at": d.changed_at,
                "changed_by": _name(d.changed_by, names),
            }
            for d in o.due_changes.select_related("changed_by")
        ],
        "claims": [claim_out(c, names=names) for c in claims],
        "plans": [plan_out(p, names=names) for p in plans],
        "alerts": [
            {
                "rung": a.rung,
                "rung_label": str(a.get_rung_display()),
                "due_date": a.due_date,
                "rung_on": a.rung_on,
                "fired_on": a.fired_on,
            }
            for a in obligation_alerts(o)
        ],
        "actions": sorted(actions),
    }

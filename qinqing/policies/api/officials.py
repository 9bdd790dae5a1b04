"""The officials' side of the policy API (在线批): the work queue by deadline, one case
with everything, the step actions (approve, reject, return; each names the revision it
was taken on), objections, matching, payment retries, downloads of materials and the
explanation of any policy for any enterprise in reach.

Supervisors read the cases in their reach and are refused every write; administrators
configure and see no cases."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound, PermissionDenied
from qinqing.enterprises.selectors import access_enterprise_by_id
from qinqing.policies.overview import department_overview
from qinqing.policies.rules import evaluate, parse_rule
from qinqing.policies.services import cases as case_services
from qinqing.policies.services.catalogue import current_version
from qinqing.policies.services.matching import policy_match
from qinqing.workdays.calendar import current_calendar

from ..dossier import OPENAPI_PDF, Audience, dossier_response
from ..models import Case, CaseStatus, CaseStep, StepKind
from ..selectors import (
    access_objection_by_public_id,
    access_policy_by_public_id,
    case_status_counts,
    department_cases,
    objections_visible,
    office_policies,
    official_case_get,
    policy_for_matching,
    policy_public_get,
    work_queue,
)
from ..summaries import fact_labels, given_facts
from .enterprise import CaseQuery, CaseSummaryOut
from .schemas import ERRORS, ExplanationOut, PageQuery, explanation_out
from .shared import (
    MaterialOut,
    ObjectionOut,
    ReturnOut,
    case_summary,
    material_download,
    material_out,
    objection_out,
    return_out,
    step_name,
)

router = Router(tags=["policies: officials"])

MAX_REVISION = 2**31 - 1


def _require_case_readers(request: HttpRequest, message: Any = None) -> None:
    """The department's lists are for its officials, and the supervisors read them (the
    pages' `require_case_readers`); everyone else is refused with `message`."""
    if not scope_for(request.user).has_role(Role.OFFICER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR):
        raise PermissionDenied(
            message or _("The department's cases are for its officials and the supervisors.")
        )


def _require_acting_official(request: HttpRequest, case: Case | None = None) -> None:
    """Writes are for officers and department heads (of the case's department): a
    supervisor or an administrator is refused here, before anything is looked at."""
    paths = scope_for(request.user).paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    if not paths or (case is not None and not any(case.organisation.path.startswith(p) for p in paths)):
        raise PermissionDenied(_("Only an officer or the head of the issuing department acts on its cases."))


# --- The work queue -------------------------------------------------------------------------


class QueueItemOut(Schema):
    case: uuid.UUID
    reference: str
    policy_title: str
    enterprise_name: str
    status: str
    award: Decimal = Field(..., description="Yuan, a decimal string")
    revision: int
    step: str
    step_position: int
    role: str
    started_at: dt.datetime
    due_date: dt.date
    overdue: bool
    near: bool = Field(..., description="Due today or on the next working day")
    assignee: str | None
    assigned_to_me: bool


class QueuePage(Schema):
    count: int
    overdue: int
    items: list[QueueItemOut]


def _near_limit(today: dt.date) -> dt.date:
    try:
        return current_calendar().add_working_days(today, 1)
    except Exception:  # noqa: BLE001 - a year not in the calendar: count plain days
        return today + dt.timedelta(days=1)


@router.get(
    "/cases/queue",
    response={200: QueuePage, **ERRORS},
    summary="My work queue: open steps I may take, nearest deadline first, overdue and near flagged",
)
def queue(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    _require_acting_official(request)
    today = timezone.localdate()
    near = _near_limit(today)
    qs = work_queue(request.user)
    items: list[CaseStep] = list(qs[page.offset : page.offset + page.limit])
    return {
        "count": qs.count(),
        "overdue": qs.filter(due_date__lt=today).count(),
        "items": [
            {
                "case": s.case.public_id,
                "reference": s.case.reference or "",
                "policy_title": s.case.policy.title,
                "enterprise_name": s.case.enterprise.name,
                "status": s.case.status,
                "award": s.case.award,
                "revision": s.case.revision,
                "step": step_name(s),
                "step_position": s.position,
                "role": s.role,
                "started_at": s.started_at,
                "due_date": s.due_date,
                "overdue": s.due_date < today,
                "near": today <= s.due_date <= near,
                "assignee": str(s.assignee) if s.assignee_id else None,
                "assigned_to_me": s.assignee_id == request.user.pk,
            }
            for s in items
        ],
    }


# --- The department's cases ------------------------------------------------------------------


class DepartmentCaseQuery(CaseQuery):
    policy: uuid.UUID | None = Field(None, description="Only this policy's cases")
    reference: str = Field("", max_length=40, description="Part of the case number")


class DepartmentCasePage(Schema):
    count: int
    by_status: dict[str, int] = Field(..., description="Cases per status under the other filters")
    items: list[CaseSummaryOut]


@router.get(
    "/cases",
    response={200: DepartmentCasePage, **ERRORS},
    summary="My departments' cases in any status, newest first, with the count per status "
    "(supervisors: those in their reach)",
)
def department_case_list(request: HttpRequest, filters: Query[DepartmentCaseQuery]) -> dict[str, Any]:
    _require_case_readers(request)
    user, policy, reference = request.user, filters.policy, filters.reference
    qs = department_cases(user, status=filters.status or "", policy_public_id=policy, reference=reference)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {
        "count": qs.count(),
        "by_status": case_status_counts(department_cases(user, policy_public_id=policy, reference=reference)),
        "items": [case_summary(c) for c in items],
    }


# --- One case -------------------------------------------------------------------------------


class OfficialStepOut(Schema):
    position: int
    attempt: int
    key: str
    name: str
    kind: str
    role: str
    limit_days: int
    started_at: dt.datetime
    due_date: dt.date
    ended_at: dt.datetime | None
    outcome: str
    overdue: bool
    actor: str | None
    assignee: str | None
    comment: str


class OfficialCaseOut(Schema):
    public_id: uuid.UUID
    reference: str
    policy: uuid.UUID
    policy_title: str
    department: str
    enterprise: uuid.UUID
    enterprise_name: str
    enterprise_credit_code: str
    period: str
    origin: str
    status: str
    status_label: str
    current_step: str
    revision: int = Field(
        ..., description="Send it back with an action; a stale one is refused (409 case_changed)"
    )
    award_computed: Decimal = Field(..., description="The rule's award, yuan")
    award: Decimal = Field(..., description="After the per-enterprise cap, yuan")
    reserved: Decimal = Field(..., description="Reserved from the policy's budget, yuan")
    paid_amount: Decimal | None
    paid_at: dt.datetime | None
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    notice_until: dt.date | None
    reason: str
    applicant: str | None
    facts: dict[str, Any]
    fact_labels: dict[str, str] = Field(..., description="Each fact given, named in the reader's language")
    explanation: ExplanationOut
    steps: list[OfficialStepOut]
    materials: list[MaterialOut]
    returns: list[ReturnOut]
    objections: list[ObjectionOut]
    can_act: bool
    refusal: str | None = Field(..., description="Why I may not act on the open step, if I may not")
    payment_status: str | None
    can_retry_payment: bool = Field(..., description="The payment failed and I may send it again")
    retry_refusal: str | None = Field(
        ...,
        description="Why a failed payment cannot be sent again by me (a declared relation, an unverified account)",
    )


def _refusal(user: Any, case: Case) -> str | None:
    if case.status != CaseStatus.IN_REVIEW:
        return _("The case is “%(status)s”: there is no step to act on.") % {
            "status": case.get_status_display()
        }
    step = next((s for s in case.steps.all() if s.position == case.current_step and s.ended_at is None), None)
    refusal = case_services.step_refusal(user, case, step)
    if refusal is None and step is not None and step.kind == StepKind.NOTICE:
        return _("The public notice ends by itself once its period has run without an open objection.")
    return refusal


def _payment_status(case: Case) -> str | None:
    if case.status not in (CaseStatus.PAYING, CaseStatus.PAID, CaseStatus.PAYMENT_FAILED):
        return None
    from qinqing.payments.models import PaymentInstruction

    return (
        PaymentInstruction.objects.filter(key=case_services.payment_key(case))
        .values_list("status", flat=True)
        .first()
    )


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    today = timezone.localdate()
    refusal = _refusal(request.user, case)
    retry_refusal = case_services.case_payment_retry_blocker(request.user, case)
    summary = case_summary(case)
    return {
        **summary,
        "department": case.organisation.name,
        "enterprise_credit_code": case.enterprise.credit_code,
        "revision": case.revision,
        "award_computed": case.award_computed,
        "reserved": case.reserved,
        "reason": case.reason,
        "applicant": str(case.applicant) if case.applicant_id else None,
        "facts": case.facts,
        "fact_labels": {name: label for name, label, _value in given_facts(case.version.rule, case.facts)},
        "explanation": explanation_out(case.explanation, case.version.rule),
        "steps": [
            {
                "position": s.position,
                "attempt": s.attempt,
                "key": s.key,
                "name": step_name(s),
                "kind": s.kind,
                "role": s.role,
                "limit_days": s.limit_days,
                "started_at": s.started_at,
                "due_date": s.due_date,
                "ended_at": s.ended_at,
                "outcome": s.outcome,
                "overdue": (timezone.localdate(s.ended_at) if s.ended_at else today) > s.due_date,
                "actor": str(s.actor) if s.actor_id else None,
                "assignee": str(s.assignee) if s.assignee_id else None,
                "comment": s.comment,
            }
            for s in case.steps.all()
        ],
        "materials": [material_out(case, m, enterprise=False) for m in case.materials.all()],
        "returns": [return_out(r) for r in case.returns.all()],
        "objections": [objection_out(o, names=True) for o in case.objections.all()],
        "can_act": refusal is None,
        "refusal": refusal,
        "payment_status": _payment_status(case),
        "can_retry_payment": case.status == CaseStatus.PAYMENT_FAILED and retry_refusal is None,
        "retry_refusal": retry_refusal,
    }


def _reloaded(request: HttpRequest, case: Case) -> dict[str, Any]:
    return _detail(request, official_case_get(request.user, case.public_id))


@router.get(
    "/cases/{uuid:case_id}",
    response={200: OfficialCaseOut, **ERRORS},
    summary="One case with everything: explanation, facts, steps with actors, materials, objections",
)
def get_case(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    return _detail(request, official_case_get(request.user, case_id))


@router.get(
    "/cases/{uuid:case_id}/materials/{uuid:material_id}",
    response={200: None, **ERRORS},
    summary="Download a material of a case (as an attachment)",
    openapi_extra={
        "responses": {"200": {"description": "The file", "content": {"application/octet-stream": {}}}}
    },
)
def download_material(request: HttpRequest, case_id: uuid.UUID, material_id: uuid.UUID) -> HttpResponseBase:
    return material_download(official_case_get(request.user, case_id), material_id)


@router.get(
    "/cases/{uuid:case_id}/dossier",
    response={200: None, **ERRORS},
    summary="A case's dossier (案卷) as a PDF: the decision trace, the timeline with who acted, the payment",
    openapi_extra=OPENAPI_PDF,
)
def case_dossier(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    _require_case_readers(request)
    return dossier_response(official_case_get(request.user, case_id), Audience.OFFICIALS)


class ApproveIn(Schema):
    revision: int = Field(..., ge=1, le=MAX_REVISION)
    comment: str = Field("", max_length=2000)


class RejectIn(Schema):
    revision: int = Field(..., ge=1, le=MAX_REVISION)
    reason: str = Field(..., min_length=1, max_length=2000)


class ReturnIn(Schema):
    revision: int = Field(..., ge=1, le=MAX_REVISION)
    request: str = Field(..., min_length=1, max_length=2000, description="What the enterprise must add")


def _acting_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    case = official_case_get(request.user, case_id)
    _require_acting_official(request, case)
    return case


@router.post(
    "/cases/{uuid:case_id}/approve",
    response={200: OfficialCaseOut, **ERRORS},
    summary="Approve the open step (the payment step orders the payment)",
)
def approve(request: HttpRequest, case_id: uuid.UUID, payload: ApproveIn) -> dict[str, Any]:
    case = _acting_case(request, case_id)
    case_services.case_approve(
        actor=request.user, case=case, revision=payload.revision, comment=payload.comment
    )
    return _reloaded(request, case)


@router.post(
    "/cases/{uuid:case_id}/reject",
    response={200: OfficialCaseOut, **ERRORS},
    summary="Reject the case with a reason",
)
def reject(request: HttpRequest, case_id: uuid.UUID, payload: RejectIn) -> dict[str, Any]:
    case = _acting_case(request, case_id)
    case_services.case_reject(actor=request.user, case=case, reason=payload.reason, revision=payload.revision)
    return _reloaded(request, case)


@router.post(
    "/cases/{uuid:case_id}/return",
    response={200: OfficialCaseOut, **ERRORS},
    summary="Return the case for more materials (the step's clock stops until the answer)",
)
def return_for_materials(request: HttpRequest, case_id: uuid.UUID, payload: ReturnIn) -> dict[str, Any]:
    case = _acting_case(request, case_id)
    case_services.case_return(
        actor=request.user, case=case, request=payload.request, revision=payload.revision
    )
    return _reloaded(request, case)


@router.post(
    "/cases/{uuid:case_id}/retry-payment",
    response={200: OfficialCaseOut, **ERRORS},
    summary="Send a failed payment again (same idempotency key)",
)
def retry_payment(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    case = _acting_case(request, case_id)
    case_services.case_payment_retry(actor=request.user, case=case)
    return _reloaded(request, case)


class DecideIn(Schema):
    uphold: bool
    reply: str = Field(..., min_length=1, max_length=2000)


@router.post(
    "/objections/{uuid:objection_id}/decide",
    response={200: ObjectionOut, **ERRORS},
    summary="Decide an objection (by an official who took no part in the case)",
)
def decide_objection(request: HttpRequest, objection_id: uuid.UUID, payload: DecideIn) -> dict[str, Any]:
    objection = access_objection_by_public_id(request.user, objection_id)
    _require_acting_official(request, objection.case)
    decided = case_services.objection_decide(
        actor=request.user, objection=objection, uphold=payload.uphold, reply=payload.reply
    )
    return objection_out(decided, names=True)


class ObjectionQuery(PageQuery):
    status: Literal["open", "upheld", "dismissed", "all"] = "open"
    mine: bool = Field(False, description="Only those I answer for")


class ObjectionListItem(ObjectionOut):
    case: uuid.UUID
    case_reference: str
    enterprise_name: str
    policy_title: str
    overdue: bool = Field(..., description="Open and past the date to decide it by")


class ObjectionPage(Schema):
    count: int
    items: list[ObjectionListItem]


@router.get(
    "/objections",
    response={200: ObjectionPage, **ERRORS},
    summary="Objections to my departments' cases, nearest deadline first (supervisors: in their reach)",
)
def objection_list(request: HttpRequest, filters: Query[ObjectionQuery]) -> dict[str, Any]:
    _require_case_readers(request)
    status = "" if filters.status == "all" else filters.status
    qs = objections_visible(request.user, status=status, mine=filters.mine)
    today = timezone.localdate()
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {
        "count": qs.count(),
        "items": [
            {
                **objection_out(o, names=True),
                "case": o.case.public_id,
                "case_reference": o.case.reference or "",
                "enterprise_name": o.case.enterprise.name,
                "policy_title": o.case.policy.title,
                "overdue": o.status == "open" and o.due_date is not None and o.due_date < today,
            }
            for o in items
        ],
    }


# --- Policies: matching and explanation -----------------------------------------------------


class MatchOut(Schema):
    invited: int


@router.post(
    "/{uuid:public_id}/match",
    response={200: MatchOut, **ERRORS},
    summary="Match the policy now: invite every enterprise that newly qualifies",
)
def match(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    _require_acting_official(request)
    policy = policy_for_matching(request.user, public_id)
    return {"invited": policy_match(actor=request.user, policy=policy)}


class ExplainOut(Schema):
    policy: uuid.UUID
    policy_title: str
    version: int
    enterprise: uuid.UUID
    enterprise_name: str
    decision: ExplanationOut
    facts_needed: list[str] = Field(
        ..., description="Facts an application would supply (judged as missing here)"
    )
    fact_labels: dict[str, str] = Field(
        ..., description="Each fact the rule asks for, named in the reader's language"
    )


@router.get(
    "/{uuid:public_id}/explain/{uuid:enterprise_id}",
    response={200: ExplainOut, **ERRORS},
    summary="Whether an enterprise qualifies for a policy today, condition by condition",
)
def explain(request: HttpRequest, public_id: uuid.UUID, enterprise_id: uuid.UUID) -> dict[str, Any]:
    try:
        policy = policy_public_get(public_id)
    except NotFound:
        policy = access_policy_by_public_id(request.user, public_id)
    enterprise = access_enterprise_by_id(request.user, enterprise_id)
    version = current_version(policy)
    rule = parse_rule(version.rule)
    decision = evaluate(rule, enterprise, on=timezone.localdate())
    return {
        "policy": policy.public_id,
        "policy_title": policy.title,
        "version": version.number,
        "enterprise": enterprise.public_id,
        "enterprise_name": enterprise.name,
        "decision": explanation_out({**decision.explanation, "version": version.number}, version.rule),
        "facts_needed": sorted(rule.facts),
        "fact_labels": fact_labels(version.rule),
    }


# --- The department's policies, any status ---------------------------------------------------


class OfficePolicyQuery(PageQuery):
    status: str | None = Field(
        None, pattern="^(draft|published|withdrawn)$", description="draft, published or withdrawn"
    )
    q: str = Field("", max_length=100, description="Part of the title or the code")


class OfficePolicyOut(Schema):
    public_id: uuid.UUID
    code: str
    title: str
    department: str
    department_code: str
    status: str
    status_label: str
    valid_from: dt.date
    valid_until: dt.date
    budget_total: Decimal = Field(..., description="Yuan, a decimal string")
    budget_reserved: Decimal = Field(..., description="Reserved by approved cases, yuan, a decimal string")
    mode: str
    mode_label: str
    version: int = Field(..., description="The number of the version in force")
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    case_count: int = Field(..., description="Its cases in any status")


class OfficePolicyPage(Schema):
    count: int
    items: list[OfficePolicyOut]


@router.get(
    "/office/policies",
    response={200: OfficePolicyPage, **ERRORS},
    summary="My departments' policies in any status (drafts and withdrawn ones too), most recently "
    "changed first, with their budgets and case counts (supervisors: those in their reach)",
)
def office_policy_list(request: HttpRequest, filters: Query[OfficePolicyQuery]) -> dict[str, Any]:
    # The officials' policy page's readers, and the supervisors, who read what it lists.
    _require_case_readers(request, _("The department's policies are for its officials and the supervisors."))
    qs = office_policies(request.user, status=filters.status or "", q=filters.q.strip())
    policies = list(qs[filters.offset : filters.offset + filters.limit])
    return {
        "count": qs.count(),
        "items": [
            {
                "public_id": p.public_id,
                "code": p.code,
                "title": p.title,
                "department": p.department.name,
                "department_code": p.department.code,
                "status": p.status,
                "status_label": str(p.get_status_display()),
                "valid_from": p.valid_from,
                "valid_until": p.valid_until,
                "budget_total": p.budget_total,
                "budget_reserved": p.budget_reserved,
                "mode": p.mode,
                "mode_label": str(p.get_mode_display()),
                "version": current_version(p).number,
                "published_at": p.published_at,
                "withdrawn_at": p.withdrawn_at,
                "case_count": p.case_count,  # type: ignore[attr-defined]  # annotated by office_policies
            }
            for p in policies
        ],
    }


# --- The department overview ----------------------------------------------------------------


class OverviewQuery(Schema):
    department: int | None = Field(
        None, ge=1, description="One department of `departments` (its id); every one in reach when absent"
    )


class OverviewDepartmentOut(Schema):
    id: int
    name: str


class OverviewStepsOut(Schema):
    open: int = Field(..., description="Open steps of cases under review (public notices left out)")
    overdue: int = Field(..., description="Of them, past their due date")
    due_soon: int = Field(..., description="Of them, due from today to `due_soon_until`")


class OverviewMoneyOut(Schema):
    budget_total: Decimal = Field(..., description="Yuan, a decimal string")
    reserved: Decimal = Field(..., description="Reserved by approved cases (paid ones included), yuan")
    paid: Decimal = Field(..., description="Settled payments of the cases, yuan")
    being_paid: Decimal = Field(..., description="Payment instructions not settled yet, yuan")
    remaining: Decimal = Field(..., description="Total budget less reserved, yuan")
    cases: dict[str, int] = Field(..., description="Cases per status, every status listed")
    steps: OverviewStepsOut


class OverviewPolicyOut(OverviewMoneyOut):
    public_id: uuid.UUID
    code: str
    title: str
    department: str
    status: str


class OverviewStepOut(Schema):
    key: str
    name: str
    steps: OverviewStepsOut


class OverviewOfficialOut(Schema):
    public_id: uuid.UUID
    name: str
    roles: list[str]
    open_steps: int = Field(
        ..., description="Assigned to them, or theirs to take as their work queue offers it"
    )
    assigned: int
    overdue: int = Field(..., description="Of `open_steps`, past their due date")
    completed: int = Field(..., description="Steps they decided since `handled_since`")
    median_handling_seconds: float | None = Field(..., description="From a step's start to their decision")


class OverviewCashOut(Schema):
    policy: uuid.UUID | None = Field(..., description="Null for the total")
    name: str
    department: str
    paid_cases: int
    median_seconds: float | None
    p90_seconds: float | None
    median_days: float | None
    p90_days: float | None
    paid_within_1_day: int


class OverviewTimeToCashOut(Schema):
    since: dt.date
    until: dt.date
    by_policy: list[OverviewCashOut]
    total: OverviewCashOut


class OverviewOut(Schema):
    today: dt.date
    due_soon_until: dt.date
    handled_since: dt.datetime
    department: OverviewDepartmentOut | None
    departments: list[OverviewDepartmentOut]
    policies: list[OverviewPolicyOut]
    total: OverviewMoneyOut
    steps: list[OverviewStepOut]
    officials: list[OverviewOfficialOut]
    time_to_cash: OverviewTimeToCashOut


def _overview_money(row: Any) -> dict[str, Any]:
    return {
        "budget_total": row.budget_total,
        "reserved": row.reserved,
        "paid": row.paid,
        "being_paid": row.paying,
        "remaining": row.remaining,
        "cases": dict(row.case_counts),
        "steps": _overview_steps(row.steps),
    }


def _overview_steps(counts: Any) -> dict[str, int]:
    return {"open": counts.open_steps, "overdue": counts.overdue, "due_soon": counts.due_soon}


def _overview_cash(figures: Any, policies: dict[int, uuid.UUID]) -> dict[str, Any]:
    return {
        "policy": policies.get(figures.key) if figures.key is not None else None,
        "name": figures.label,
        "department": figures.department,
        "paid_cases": figures.count,
        "median_seconds": figures.median,
        "p90_seconds": figures.p90,
        "median_days": figures.median_days,
        "p90_days": figures.p90_days,
        "paid_within_1_day": figures.within_day,
    }


@router.get(
    "/office/overview",
    response={200: OverviewOut, **ERRORS},
    summary="The department overview: budgets and cases per policy, open steps per step and "
    "per official, time to cash (department heads; supervisors for their reach)",
)
def department_overview_get(request: HttpRequest, query: Query[OverviewQuery]) -> dict[str, Any]:
    overview = department_overview(request.user, department_id=query.department)
    return {
        "today": overview.today,
        "due_soon_until": overview.due_soon_until,
        "handled_since": overview.handled_since,
        "department": {"id": overview.department.pk, "name": overview.department.name}
        if overview.department
        else None,
        "departments": [{"id": d.pk, "name": d.name} for d in overview.departments],
        "policies": [
            {
                "public_id": row.policy.public_id,
                "code": row.policy.code,
                "title": row.policy.title,
                "department": row.policy.department.name,
                "status": row.policy.status,
                **_overview_money(row),
            }
            for row in overview.policies
            if row.policy is not None
        ],
        "total": _overview_money(overview.total),
        "steps": [{"key": s.key, "name": s.label, "steps": _overview_steps(s.steps)} for s in overview.steps],
        "officials": [
            {
                "public_id": o.user.public_id,
                "name": str(o.user),
                "roles": list(o.roles),
                "open_steps": o.open_steps,
                "assigned": o.assigned,
                "overdue": o.overdue,
                "completed": o.completed,
                "median_handling_seconds": o.median_seconds,
            }
            for o in overview.officials
        ],
        "time_to_cash": {
            "since": overview.cash_since,
            "until": overview.cash_until,
            "by_policy": [_overview_cash(f, overview.cash_policy_ids) for f in overview.cash_by_policy],
            "total": _overview_cash(overview.cash_total, overview.cash_policy_ids),
        },
    }

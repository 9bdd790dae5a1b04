"""The enterprise's side of the policy API (掌上提): the policies that fit it and why, its
invitations (one-call confirmation), applications with materials, its cases with their
timeline (officials' names left out), withdrawal, answers to requests for materials,
and objections after a rejection."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.enterprises.models import Enterprise
from qinqing.policies.rules import evaluate, parse_rule
from qinqing.policies.services import cases as case_services
from qinqing.policies.services.catalogue import current_version

from ..dossier import OPENAPI_PDF, Audience, dossier_response
from ..models import Case, CaseStatus, Invitation, InvitationStatus, ObjectionKind
from ..selectors import (
    access_invitation_by_public_id,
    enterprise_case_get,
    enterprise_cases,
    enterprise_invitations,
    open_invitations_and_cases,
    policies_public,
    policy_public_get,
)
from ..summaries import award_lines, fact_labels, given_facts
from .schemas import (
    ERRORS,
    ExplanationOut,
    PageQuery,
    explanation_out,
    multipart_body,
    parse_facts_field,
    read_multipart,
    unknown_facts_outcome,
)
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

router = Router(tags=["policies: enterprise"])


def _enterprise_ids(request: HttpRequest) -> list[int]:
    ids = sorted(scope_for(request.user).enterprise_ids)
    if not ids:
        raise PermissionDenied(_("These are an enterprise's own pages; log in as the enterprise's user."))
    return ids


# --- Policies that fit me -------------------------------------------------------------------


class FitOut(Schema):
    policy: uuid.UUID
    code: str
    title: str
    department: str
    mode: Literal["proactive", "application"]
    enterprise: uuid.UUID
    enterprise_name: str
    fit: Literal["eligible", "needs_facts", "not_eligible"] = Field(
        ...,
        description=(
            "eligible: qualifies on the registry's data; needs_facts: qualifies if the "
            "application's figures meet the conditions on them; not_eligible: does not qualify"
        ),
    )
    facts_needed: list[str]
    fact_labels: dict[str, str] = Field(
        ..., description="Each fact the rule asks for, named in the reader's language"
    )
    award: Decimal | None = Field(
        ...,
        description="Yuan, a decimal string, when eligible; null when the application's figures decide it",
    )
    award_lines: list[str]
    valid_until: dt.date
    invitation: uuid.UUID | None
    case: uuid.UUID | None
    case_reference: str | None
    explanation: ExplanationOut


class FitQuery(Schema):
    only_fitting: bool = Field(True, description="Leave out the policies the enterprise cannot qualify for")


@router.get(
    "/mine/policies",
    response={200: list[FitOut], **ERRORS},
    summary="Policies in force that fit my enterprise, each with the reason per condition",
)
def fitting_policies(request: HttpRequest, filters: Query[FitQuery]) -> list[dict[str, Any]]:
    ids = _enterprise_ids(request)
    today = timezone.localdate()
    enterprises = list(Enterprise.objects.filter(pk__in=ids).prefetch_related("labels").order_by("id"))
    policies = list(policies_public(today=today))
    invitations, cases = open_invitations_and_cases(ids)
    out: list[dict[str, Any]] = []
    for enterprise in enterprises:
        for policy in policies:
            version = current_version(policy)
            rule = parse_rule(version.rule)
            decision = evaluate(rule, enterprise, on=today)
            explanation = {**decision.explanation, "version": version.number}
            if rule.facts:
                # The application's figures are unknown here: they may decide the
                # conditions, and they decide the award.
                outcome = unknown_facts_outcome(decision.explanation.get("conditions"))
                fit = "not_eligible" if outcome is False else "needs_facts"
            else:
                fit = "eligible" if decision.eligible else "not_eligible"
            if filters.only_fitting and fit == "not_eligible":
                continue
            invitation = invitations.get((policy.pk, enterprise.pk))
            case = cases.get((policy.pk, enterprise.pk))
            out.append(
                {
                    "policy": policy.public_id,
                    "code": policy.code,
                    "title": policy.title,
                    "department": policy.department.name,
                    "mode": policy.mode,
                    "enterprise": enterprise.public_id,
                    "enterprise_name": enterprise.name,
                    "fit": fit,
                    "facts_needed": sorted(rule.facts),
                    "fact_labels": fact_labels(version.rule),
                    "award": decision.award if fit == "eligible" else None,
                    "award_lines": award_lines(version.rule),
                    "valid_until": policy.valid_until,
                    "invitation": invitation.public_id if invitation else None,
                    "case": case.public_id if case else None,
                    "case_reference": case.reference if case else None,
                    "explanation": explanation_out(explanation, version.rule),
                }
            )
    return out


# --- Invitations ----------------------------------------------------------------------------


class InvitationOut(Schema):
    public_id: uuid.UUID
    policy: uuid.UUID
    policy_title: str
    enterprise: uuid.UUID
    enterprise_name: str
    period: str
    award: Decimal = Field(..., description="Yuan, a decimal string")
    status: str
    status_label: str
    lapsed_reason: Literal["", "withdrawn", "ended", "not_eligible"] = Field(
        ..., description="Why a lapsed invitation lapsed; empty otherwise"
    )
    lapsed_reason_label: str
    matched_at: dt.datetime
    answered_at: dt.datetime | None


class InvitationPage(Schema):
    count: int
    items: list[InvitationOut]


class InvitationQuery(PageQuery):
    status: Literal["open", "confirmed", "declined", "lapsed"] | None = None


def _invitation(i: Invitation) -> dict[str, Any]:
    return {
        "public_id": i.public_id,
        "policy": i.policy.public_id,
        "policy_title": i.policy.title,
        "enterprise": i.enterprise.public_id,
        "enterprise_name": i.enterprise.name,
        "period": i.period,
        "award": i.award,
        "status": i.status,
        "status_label": str(InvitationStatus(i.status).label),
        "lapsed_reason": i.lapsed_reason,
        "lapsed_reason_label": i.get_lapsed_reason_display() if i.lapsed_reason else "",
        "matched_at": i.created_at,
        "answered_at": i.responded_at,
    }


@router.get(
    "/mine/invitations", response={200: InvitationPage, **ERRORS}, summary="My invitations, newest first"
)
def list_invitations(request: HttpRequest, filters: Query[InvitationQuery]) -> dict[str, Any]:
    _enterprise_ids(request)
    qs = enterprise_invitations(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_invitation(i) for i in items]}


class InvitationPolicyOut(Schema):
    """What the policy is, for deciding whether to confirm."""

    public_id: uuid.UUID
    code: str
    title: str
    summary: str
    department: str
    basis_number: str
    basis_title: str
    mode: Literal["proactive", "application"]
    valid_from: dt.date
    valid_until: dt.date
    award_lines: list[str]


class InvitationDetailOut(InvitationOut):
    policy_summary: InvitationPolicyOut
    explanation: ExplanationOut = Field(
        ...,
        description=(
            "Why the enterprise qualifies or not, condition by condition: judged on today's "
            "registry data by the policy's version in force, as confirming would judge it"
        ),
    )
    award_now: Decimal | None = Field(
        ...,
        description=(
            "What confirming would grant today: the award on today's registry data by the "
            "version in force, within what the per-enterprise cap leaves. Null when the "
            "enterprise no longer qualifies. The invitation's `award` is brought up to date "
            "daily, so the two can differ in between"
        ),
    )
    case: uuid.UUID | None = Field(..., description="The case opened by confirming it, once confirmed")
    case_reference: str | None


@router.get(
    "/mine/invitations/{uuid:invitation_id}",
    response={200: InvitationDetailOut, **ERRORS},
    summary="One of my invitations: the policy, why my enterprise qualifies (per condition: my value, "
    "held or not, the clause) and the case once confirmed",
)
def get_invitation(request: HttpRequest, invitation_id: uuid.UUID) -> dict[str, Any]:
    _enterprise_ids(request)
    invitation = access_invitation_by_public_id(request.user, invitation_id)
    policy, enterprise = invitation.policy, invitation.enterprise
    prefetch_related_objects([policy], "versions")
    prefetch_related_objects([enterprise], "labels")
    version = current_version(policy)
    decision = evaluate(parse_rule(version.rule), enterprise, on=timezone.localdate())
    case = Case.objects.filter(invitation=invitation).only("public_id", "reference").first()
    return {
        **_invitation(invitation),
        "policy_summary": {
            "public_id": policy.public_id,
            "code": policy.code,
            "title": policy.title,
            "summary": policy.summary,
            "department": policy.department.name,
            "basis_number": policy.basis_number,
            "basis_title": policy.basis_title,
            "mode": policy.mode,
            "valid_from": policy.valid_from,
            "valid_until": policy.valid_until,
            "award_lines": award_lines(version.rule),
        },
        "explanation": explanation_out({**decision.explanation, "version": version.number}, version.rule),
        "award_now": (
            case_services.award_on_confirming(policy, enterprise.pk, decision.award)
            if decision.eligible
            else None
        ),
        "case": case.public_id if case is not None else None,
        "case_reference": (case.reference or "") if case is not None else None,
    }


# --- My cases -------------------------------------------------------------------------------


class CaseSummaryOut(Schema):
    public_id: uuid.UUID
    reference: str
    policy: uuid.UUID
    policy_title: str
    enterprise: uuid.UUID
    enterprise_name: str
    period: str
    origin: str
    status: str
    status_label: str
    current_step: str = Field(..., description="The step the case is at, in words")
    award: Decimal = Field(..., description="Yuan, a decimal string")
    paid_amount: Decimal | None = Field(None, description="Yuan, a decimal string, once paid")
    paid_at: dt.datetime | None
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    notice_until: dt.date | None


class CasePage(Schema):
    count: int
    items: list[CaseSummaryOut]


class CaseQuery(PageQuery):
    status: (
        Literal[
            "in_review", "returned", "paying", "paid", "payment_failed", "rejected", "appealed", "withdrawn"
        ]
        | None
    ) = None


class StepOut(Schema):
    """A step as the enterprise sees it: when, and how it ended; not who."""

    position: int
    attempt: int
    name: str
    kind: str
    started_at: dt.datetime
    due_date: dt.date
    ended_at: dt.datetime | None
    outcome: str


class EnterpriseCaseOut(CaseSummaryOut):
    reason: str = Field(..., description="The reason of a rejection or withdrawal")
    facts: dict[str, Any]
    fact_labels: dict[str, str] = Field(..., description="Each fact given, named in the reader's language")
    explanation: ExplanationOut
    steps: list[StepOut]
    materials: list[MaterialOut]
    returns: list[ReturnOut]
    objections: list[ObjectionOut]
    can_withdraw: bool
    can_answer: bool
    can_object: bool


def _detail(case: Case) -> dict[str, Any]:
    steps = list(case.steps.all())
    return {
        **case_summary(case),
        "reason": case.reason,
        "facts": case.facts,
        "fact_labels": {name: label for name, label, _value in given_facts(case.version.rule, case.facts)},
        "explanation": explanation_out(case.explanation, case.version.rule),
        "steps": [
            {
                "position": s.position,
                "attempt": s.attempt,
                "name": step_name(s),
                "kind": s.kind,
                "started_at": s.started_at,
                "due_date": s.due_date,
                "ended_at": s.ended_at,
                "outcome": s.outcome,
            }
            for s in steps
        ],
        "materials": [material_out(case, m, enterprise=True) for m in case.materials.all()],
        "returns": [return_out(r) for r in case.returns.all()],
        # The enterprise's own objections; the public's during the notice stay with the
        # officials (their grounds may name whoever lodged them).
        "objections": [
            objection_out(o, names=False) for o in case.objections.all() if o.kind == ObjectionKind.APPEAL
        ],
        "can_withdraw": case.status in (CaseStatus.IN_REVIEW, CaseStatus.RETURNED),
        "can_answer": case.status == CaseStatus.RETURNED,
        "can_object": case.status == CaseStatus.REJECTED
        and not any(o.kind == ObjectionKind.APPEAL for o in case.objections.all()),
    }


@router.get("/mine/cases", response={200: CasePage, **ERRORS}, summary="My cases, newest first")
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> dict[str, Any]:
    _enterprise_ids(request)
    qs = enterprise_cases(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [case_summary(c) for c in items]}


@router.get(
    "/mine/cases/{uuid:case_id}",
    response={200: EnterpriseCaseOut, **ERRORS},
    summary="One of my cases: its steps, materials, requests for materials and objections",
)
def get_case(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    return _detail(enterprise_case_get(request.user, case_id))


def _reloaded(request: HttpRequest, case: Case) -> dict[str, Any]:
    return _detail(enterprise_case_get(request.user, case.public_id))


@router.get(
    "/mine/cases/{uuid:case_id}/materials/{uuid:material_id}",
    response={200: None, **ERRORS},
    summary="Download one of my case's materials (as an attachment)",
    openapi_extra={
        "responses": {"200": {"description": "The file", "content": {"application/octet-stream": {}}}}
    },
)
def download_material(request: HttpRequest, case_id: uuid.UUID, material_id: uuid.UUID) -> HttpResponseBase:
    return material_download(enterprise_case_get(request.user, case_id), material_id)


@router.get(
    "/mine/cases/{uuid:case_id}/dossier",
    response={200: None, **ERRORS},
    summary="My case's dossier (案卷) as a PDF: the decision trace and the timeline, as my case page shows them",
    openapi_extra=OPENAPI_PDF,
)
def case_dossier(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return dossier_response(enterprise_case_get(request.user, case_id), Audience.ENTERPRISE)


@router.post(
    "/mine/invitations/{uuid:invitation_id}/confirm",
    response={201: EnterpriseCaseOut, **ERRORS},
    summary="Confirm an invitation in one call: the case opens with the award computed",
)
def confirm_invitation(request: HttpRequest, invitation_id: uuid.UUID) -> Status[dict[str, Any]]:
    invitation = access_invitation_by_public_id(request.user, invitation_id)
    case = case_services.invitation_confirm(actor=request.user, invitation=invitation)
    return Status(201, _reloaded(request, case))


@router.post(
    "/mine/invitations/{uuid:invitation_id}/decline",
    response={200: InvitationOut, **ERRORS},
    summary="Decline an invitation",
)
def decline_invitation(request: HttpRequest, invitation_id: uuid.UUID) -> dict[str, Any]:
    invitation = access_invitation_by_public_id(request.user, invitation_id)
    case_services.invitation_decline(actor=request.user, invitation=invitation)
    return _invitation(access_invitation_by_public_id(request.user, invitation_id))


@router.post(
    "/{uuid:public_id}/apply",
    response={201: EnterpriseCaseOut, **ERRORS},
    summary="Apply under a policy: the facts the registry lacks and the materials asked for",
    openapi_extra=multipart_body(
        "`facts`: a JSON object of the rule's facts (amounts as strings); one file field "
        "per material key of the policy, repeatable. `enterprise`: which of my "
        "enterprises applies (needed only by a user of several).",
        {
            "facts": {"type": "string", "description": "JSON object", "maxLength": 10000},
            "enterprise": {"type": "string", "format": "uuid"},
        },
    ),
)
def apply(request: HttpRequest, public_id: uuid.UUID) -> Status[dict[str, Any]]:
    ids = _enterprise_ids(request)
    policy = policy_public_get(public_id)
    texts, files = read_multipart(request, ["facts", "enterprise"])
    enterprise = _chosen_enterprise(ids, texts["enterprise"])
    facts = parse_facts_field(texts["facts"])
    case = case_services.case_apply(
        actor=request.user, policy=policy, enterprise=enterprise, facts=facts, files=files
    )
    return Status(201, _reloaded(request, case))


def _chosen_enterprise(ids: list[int], raw: str) -> Enterprise:
    qs = Enterprise.objects.filter(pk__in=ids)
    if raw.strip():
        try:
            key = uuid.UUID(raw.strip())
        except ValueError as exc:
            raise ValidationFailed(fields={"enterprise": [_("Not one of your enterprises.")]}) from exc
        chosen = qs.filter(public_id=key).first()
        if chosen is None:
            raise ValidationFailed(fields={"enterprise": [_("Not one of your enterprises.")]})
        return chosen
    if len(ids) > 1:
        raise ValidationFailed(fields={"enterprise": [_("Say which of your enterprises applies.")]})
    return qs.get()


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000)


@router.post(
    "/mine/cases/{uuid:case_id}/withdraw",
    response={200: EnterpriseCaseOut, **ERRORS},
    summary="Withdraw my case before it is decided",
)
def withdraw_case(request: HttpRequest, case_id: uuid.UUID, payload: WithdrawIn) -> dict[str, Any]:
    case = enterprise_case_get(request.user, case_id)
    case_services.case_withdraw(actor=request.user, case=case, reason=payload.reason)
    return _reloaded(request, case)


@router.post(
    "/mine/cases/{uuid:case_id}/answer",
    response={200: EnterpriseCaseOut, **ERRORS},
    summary="Answer a request for materials: a text and files per material key",
    openapi_extra=multipart_body(
        "`answer`: the text of the answer; one file field per material key, repeatable.",
        {"answer": {"type": "string", "maxLength": 2000}},
        required=["answer"],
    ),
)
def answer_case(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    case = enterprise_case_get(request.user, case_id)
    texts, files = read_multipart(request, ["answer"])
    case_services.case_answer(actor=request.user, case=case, answer=texts["answer"], files=files)
    return _reloaded(request, case)


class ObjectionIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


@router.post(
    "/mine/cases/{uuid:case_id}/objection",
    response={201: ObjectionOut, **ERRORS},
    summary="Lodge an objection (异议) to the rejection of my case; an official who took no part decides",
)
def object_to_rejection(
    request: HttpRequest, case_id: uuid.UUID, payload: ObjectionIn
) -> Status[dict[str, Any]]:
    case = enterprise_case_get(request.user, case_id)
    if case.status != CaseStatus.REJECTED:
        raise InvalidTransition(_("An objection can be lodged only against a rejection."))
    objection = case_services.objection_lodge(actor=request.user, case=case, text=payload.text)
    return Status(201, objection_out(objection, names=False))

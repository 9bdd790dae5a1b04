"""Obligations over JSON, write side (闭环): change the due rule, claim fulfilment with
evidence, withdraw / confirm / dispute / decide a claim, submit and decide a remedy
plan answering an alarm, cancel. Each action names the obligation's revision it was
taken on; a stale one is refused (409 `obligation_changed`). Each answers the
obligation as it now stands."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router
from ninja.responses import Status

from qinqing.common.errors import NotFound

from .. import services
from ..selectors import (
    access_claim_by_public_id,
    access_evidence_by_public_id,
    access_obligation_by_public_id,
    access_plan_by_public_id,
)
from ..views.evidence import evidence_response
from .acting import require_acting, resolve_due_rule
from .out import ObligationDetailOut
from .reading import obligation_reloaded
from .schemas import (
    CLAIM_BODY,
    ERRORS,
    ClaimConfirmIn,
    ClaimDecideIn,
    PlanDecideIn,
    PlanIn,
    ReasonIn,
    RevisionIn,
    RuleChangeIn,
    read_claim,
)

router = Router(tags=["contracts: fulfilment"])

ANSWER = {200: ObligationDetailOut, **ERRORS}


@router.put(
    "/obligations/{uuid:obligation_id}/rule",
    response=ANSWER,
    summary="Change an obligation's due rule (committee); the due date and its dependents follow",
)
def change_rule(request: HttpRequest, obligation_id: uuid.UUID, payload: RuleChangeIn) -> dict[str, Any]:
    require_acting(request)
    obligation = access_obligation_by_public_id(request.user, obligation_id)
    services.obligation_change_rule(
        actor=request.user,
        obligation=obligation,
        due_rule=resolve_due_rule(request, obligation.project, payload.due_rule),
        reason=payload.reason,
        revision=payload.revision,
    )
    return obligation_reloaded(request, obligation)


@router.post(
    "/obligations/{uuid:obligation_id}/claim",
    response={201: ObligationDetailOut, **ERRORS},
    summary="Claim fulfilment with evidence (the obligor's side); the other side confirms or disputes",
    openapi_extra=CLAIM_BODY,
)
def claim(request: HttpRequest, obligation_id: uuid.UUID) -> Status[dict[str, Any]]:
    require_acting(request)
    obligation = access_obligation_by_public_id(request.user, obligation_id)
    fields, files = read_claim(request)
    services.obligation_claim(actor=request.user, obligation=obligation, files=files, **fields)
    return Status(201, obligation_reloaded(request, obligation))


@router.post(
    "/claims/{uuid:claim_id}/withdraw",
    response=ANSWER,
    summary="Withdraw my claim before it is answered",
)
def withdraw_claim(request: HttpRequest, claim_id: uuid.UUID, payload: RevisionIn) -> dict[str, Any]:
    require_acting(request)
    fulfilment = access_claim_by_public_id(request.user, claim_id)
    services.claim_withdraw(actor=request.user, claim=fulfilment, revision=payload.revision)
    return obligation_reloaded(request, fulfilment.obligation)


@router.post(
    "/claims/{uuid:claim_id}/confirm",
    response=ANSWER,
    summary="Confirm the other side's claim: met, or partly met when a target is not reached",
)
def confirm_claim(request: HttpRequest, claim_id: uuid.UUID, payload: ClaimConfirmIn) -> dict[str, Any]:
    require_acting(request)
    fulfilment = access_claim_by_public_id(request.user, claim_id)
    services.claim_confirm(
        actor=request.user, claim=fulfilment, revision=payload.revision, reason=payload.reason
    )
    return obligation_reloaded(request, fulfilment.obligation)


@router.post(
    "/claims/{uuid:claim_id}/dispute",
    response=ANSWER,
    summary="Dispute the other side's claim with a reason; the committee decides",
)
def dispute_claim(request: HttpRequest, claim_id: uuid.UUID, payload: ReasonIn) -> dict[str, Any]:
    require_acting(request)
    fulfilment = access_claim_by_public_id(request.user, claim_id)
    services.claim_dispute(
        actor=request.user, claim=fulfilment, reason=payload.reason, revision=payload.revision
    )
    return obligation_reloaded(request, fulfilment.obligation)


@router.post(
    "/claims/{uuid:claim_id}/decide",
    response=ANSWER,
    summary="Decide a disputed claim (a committee member who did not answer it)",
)
def decide_claim(request: HttpRequest, claim_id: uuid.UUID, payload: ClaimDecideIn) -> dict[str, Any]:
    require_acting(request)
    fulfilment = access_claim_by_public_id(request.user, claim_id)
    services.claim_decide(
        actor=request.user,
        claim=fulfilment,
        outcome=payload.outcome,
        reason=payload.reason,
        revision=payload.revision,
    )
    return obligation_reloaded(request, fulfilment.obligation)


@router.post(
    "/obligations/{uuid:obligation_id}/plans",
    response={201: ObligationDetailOut, **ERRORS},
    summary="Answer an overdue obligation's alarm: cause, remedy and a new date (the obligor's side)",
)
def submit_plan(request: HttpRequest, obligation_id: uuid.UUID, payload: PlanIn) -> Status[dict[str, Any]]:
    require_acting(request)
    obligation = access_obligation_by_public_id(request.user, obligation_id)
    services.plan_submit(
        actor=request.user,
        obligation=obligation,
        cause=payload.cause,
        remedy=payload.remedy,
        proposed_date=payload.proposed_date,
        revision=payload.revision,
    )
    return Status(201, obligation_reloaded(request, obligation))


@router.post(
    "/plans/{uuid:plan_id}/decide",
    response=ANSWER,
    summary="Accept a remedy plan (the due date moves, the original stays) or reject it (committee)",
)
def decide_plan(request: HttpRequest, plan_id: uuid.UUID, payload: PlanDecideIn) -> dict[str, Any]:
    require_acting(request)
    plan = access_plan_by_public_id(request.user, plan_id)
    services.plan_decide(
        actor=request.user, plan=plan, accept=payload.accept, reason=payload.reason, revision=payload.revision
    )
    return obligation_reloaded(request, plan.obligation)


@router.post(
    "/obligations/{uuid:obligation_id}/cancel",
    response=ANSWER,
    summary="Cancel an obligation with a reason (committee)",
)
def cancel(request: HttpRequest, obligation_id: uuid.UUID, payload: ReasonIn) -> dict[str, Any]:
    require_acting(request)
    obligation = access_obligation_by_public_id(request.user, obligation_id)
    services.obligation_cancel(
        actor=request.user, obligation=obligation, reason=payload.reason, revision=payload.revision
    )
    return obligation_reloaded(request, obligation)


@router.get(
    "/evidence/{uuid:evidence_id}",
    response={200: None, **ERRORS},
    summary="Download a claim's evidence (as an attachment)",
    openapi_extra={
        "responses": {"200": {"description": "The file", "content": {"application/octet-stream": {}}}}
    },
)
def download_evidence(request: HttpRequest, evidence_id: uuid.UUID) -> HttpResponseBase:
    evidence = access_evidence_by_public_id(request.user, evidence_id)
    try:
        return evidence_response(evidence)
    except FileNotFoundError as exc:
        raise NotFound() from exc

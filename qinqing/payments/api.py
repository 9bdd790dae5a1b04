"""Payment instructions over JSON: read them in scope, retry a rejected one."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qinqing.common.api import MAX_OFFSET

from . import services
from .models import PaymentAttempt, PaymentInstruction
from .selectors import access_payment_by_public_id, payments_in_scope

router = Router(tags=["payments"])


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorBody


_ERRORS: dict[int | str, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class AttemptOut(Schema):
    kind: str
    number: int
    outcome: str
    reference: str
    detail: str
    started_at: dt.datetime
    finished_at: dt.datetime | None


class PaymentOut(Schema):
    public_id: uuid.UUID
    key: str
    source_type: str
    source_id: str
    organisation: str
    organisation_code: str
    payee_name: str
    payee_account: str
    payee_bank: str
    amount: Decimal
    purpose: str
    status: str
    status_label: str
    attempts: int
    gateway_reference: str
    sent_at: dt.datetime | None
    settled_at: dt.datetime | None
    failure_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime


class PaymentDetailOut(PaymentOut):
    attempt_log: list[AttemptOut]


class PaymentPage(Schema):
    count: int
    items: list[PaymentOut]


class ListFilter(Schema):
    status: Literal["pending", "sending", "accepted", "unknown", "settled", "failed"] | None = None
    source_type: str | None = Field(None, max_length=64)
    source_id: str | None = Field(None, max_length=64)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class RetryIn(Schema):
    payee_name: str | None = Field(None, max_length=200)
    payee_account: str | None = Field(None, max_length=64)
    payee_bank: str | None = Field(None, max_length=200)


def _out(p: PaymentInstruction) -> dict[str, Any]:
    return {
        "public_id": p.public_id,
        "key": p.key,
        "source_type": p.source_type,
        "source_id": p.source_id,
        "organisation": p.organisation.name,
        "organisation_code": p.organisation.code,
        "payee_name": p.payee_name,
        "payee_account": p.payee_account,
        "payee_bank": p.payee_bank,
        "amount": p.amount,
        "purpose": p.purpose,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "attempts": p.attempts,
        "gateway_reference": p.gateway_reference,
        "sent_at": p.sent_at,
        "settled_at": p.settled_at,
        "failure_reason": p.failure_reason,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def _attempt(a: PaymentAttempt) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "number": a.number,
        "outcome": a.outcome,
        "reference": a.reference,
        "detail": a.detail,
        "started_at": a.started_at,
        "finished_at": a.finished_at,
    }


def _detail(p: PaymentInstruction) -> dict[str, Any]:
    return {**_out(p), "attempt_log": [_attempt(a) for a in p.attempt_log.all()]}


@router.get("", response=PaymentPage, summary="Payment instructions in my scope, newest first")
def list_payments(request: HttpRequest, filters: Query[ListFilter]) -> dict[str, Any]:
    qs = payments_in_scope(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source_type:
        qs = qs.filter(source_type=filters.source_type)
    if filters.source_id:
        qs = qs.filter(source_id=filters.source_id)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_out(p) for p in items]}


@router.get(
    "/{uuid:public_id}",
    response={200: PaymentDetailOut, **_ERRORS},
    summary="One payment instruction with every send, query and notice",
)
def get_payment(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    return _detail(access_payment_by_public_id(request.user, public_id))


@router.post(
    "/{uuid:public_id}/retry",
    response={200: PaymentDetailOut, **_ERRORS},
    summary="Send a payment rejected by the gateway again (officers of the paying organisation)",
)
def retry_payment(request: HttpRequest, public_id: uuid.UUID, payload: RetryIn) -> dict[str, Any]:
    instruction = access_payment_by_public_id(request.user, public_id, write=True)
    services.payment_retry(actor=request.user, instruction=instruction, **payload.dict())
    return _detail(access_payment_by_public_id(request.user, public_id))

"""The public's side of the policy API: awards under public notice (公示), and objections
to them, which anyone may lodge (a way to reach an anonymous objector is required) and
follow with the receipt code the answer gives (no login); someone who objected signed in
lists their own (`GET /notices/objections/mine`). Looking codes up, and objecting
without an account, are throttled per client address (429 with `Retry-After`)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.utils import check_csrf

from qinqing.common.api import BearerToken
from qinqing.common.throttle import ANONYMOUS_SUBMIT, RECEIPT_LOOKUP, throttle_api

from ..models import Objection, ObjectionStatus
from ..selectors import award_notice_get, award_notices
from .schemas import ERRORS, ErrorOut, PageQuery

router = Router(tags=["policies: public"])


class NoticeOut(Schema):
    case: uuid.UUID
    reference: str
    policy: uuid.UUID
    policy_title: str
    department: str
    enterprise_name: str
    enterprise_credit_code: str
    award: Decimal = Field(..., description="Yuan, a decimal string")
    notice_until: dt.date


class NoticePage(Schema):
    count: int
    items: list[NoticeOut]


@router.get(
    "/notices", response={200: NoticePage, **ERRORS}, auth=None, summary="Awards under public notice (公示)"
)
def notices(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    qs = award_notices(today=timezone.localdate())
    items = list(qs[page.offset : page.offset + page.limit])
    return {
        "count": qs.count(),
        "items": [
            {
                "case": c.public_id,
                "reference": c.reference or "",
                "policy": c.policy.public_id,
                "policy_title": c.policy.title,
                "department": c.organisation.name,
                "enterprise_name": c.enterprise.name,
                "enterprise_credit_code": c.enterprise.credit_code,
                "award": c.award,
                "notice_until": c.notice_until,
            }
            for c in items
        ],
    }


def session_or_anyone(request: HttpRequest) -> Any:
    """A logged-in browser (its CSRF token checked) or an anonymous visitor; a bearer
    token that did not authenticate is refused, not taken for anonymous."""
    if request.headers.get("Authorization"):
        return None
    if request.user.is_authenticated:
        if check_csrf(request) is not None:
            raise HttpError(403, _("The form's security token is missing or stale; reload the page."))
        return request.user
    return True


class NoticeObjectionIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)
    contact: str = Field("", max_length=100, description="Required when not logged in")


class NoticeObjectionOut(Schema):
    public_id: uuid.UUID
    case_reference: str
    lodged_at: dt.datetime
    receipt: str = Field(
        ...,
        description="16 digits, shown once: keep it to follow the objection (POST /notices/objections/follow)",
    )
    message: str


# A client's retry of an objection (a lost answer, a timeout) names the same key and gets
# what the first call lodged, with 201 again and the same receipt; a key sent with other
# grounds is a 409 (objection_key_reused).
IDEMPOTENCY_KEY = Header(
    "",
    alias="Idempotency-Key",
    max_length=128,
    description="Optional: 16 to 128 letters, digits, '-' or '_' (a UUID will do), unique per objection. "
    "Sent again with the same objection, the call answers what the first lodged (and the same receipt) "
    "instead of a second objection.",
)


@router.post(
    "/notices/{uuid:case_id}/objections",
    response={201: NoticeObjectionOut, **ERRORS, 429: ErrorOut},
    auth=[BearerToken(), session_or_anyone],
    summary="Object to an award under public notice (anyone; leave a contact when anonymous); answers "
    "the receipt code to follow it with",
)
@throttle_api(ANONYMOUS_SUBMIT, only_anonymous=True)
def object_to_notice(
    request: HttpRequest,
    case_id: uuid.UUID,
    payload: NoticeObjectionIn,
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Status[dict[str, Any]]:
    from qinqing.policies.services.notice_objections import notice_objection_lodge

    case = award_notice_get(case_id, today=timezone.localdate())
    actor = request.user if request.user.is_authenticated else None
    objection, receipt = notice_objection_lodge(
        actor=actor, case=case, text=payload.text, contact=payload.contact, idempotency_key=idempotency_key
    )
    return Status(
        201,
        {
            "public_id": objection.public_id,
            "case_reference": case.reference or "",
            "lodged_at": objection.lodged_at,
            "receipt": receipt,
            "message": _("Your objection was received; the issuing department will look into it."),
        },
    )


class ObjectionReceiptIn(Schema):
    receipt: str = Field(..., min_length=1, max_length=40, description="The 16-digit receipt code")


class ObjectionFollowOut(Schema):
    """What the receipt code shows: the objection's state and, once decided, the decision
    and the department's reply to the public; never who decided, nor the objector's contact."""

    case_reference: str
    policy_title: str
    department: str
    enterprise_name: str
    award: Decimal = Field(..., description="The award under notice, yuan, a decimal string")
    lodged_at: dt.datetime
    text: str = Field(..., description="The grounds given")
    status: str = Field(..., description="open, upheld (the award was rejected) or dismissed (it stands)")
    status_label: str
    due_date: dt.date | None = Field(..., description="While open: the day it is to be decided by")
    decided_at: dt.datetime | None
    reply: str = Field(..., description="Once decided: the department's reply, as written for the public")


def objection_follow_out(objection: Objection) -> dict[str, Any]:
    case = objection.case
    decided = objection.status != ObjectionStatus.OPEN
    return {
        "case_reference": case.reference or "",
        "policy_title": case.policy.title,
        "department": case.organisation.name,
        "enterprise_name": case.enterprise.name,
        "award": case.award,
        "lodged_at": objection.lodged_at,
        "text": objection.text,
        "status": objection.status,
        "status_label": str(objection.get_status_display()),
        "due_date": None if decided else objection.due_date,
        "decided_at": objection.handled_at if decided else None,
        "reply": objection.reply if decided else "",
    }


@router.post(
    "/notices/objections/follow",
    response={200: ObjectionFollowOut, **ERRORS, 429: ErrorOut},
    auth=None,
    summary="Follow an objection to an award under notice by its receipt code (no login); a code that "
    "follows nothing is 404, whatever it is",
)
@throttle_api(RECEIPT_LOOKUP)
def follow_objection(request: HttpRequest, payload: ObjectionReceiptIn) -> dict[str, Any]:
    from qinqing.policies.services.notice_objections import objection_by_receipt

    return objection_follow_out(objection_by_receipt(payload.receipt))


class MyObjectionOut(ObjectionFollowOut):
    public_id: uuid.UUID


class MyObjectionPage(Schema):
    count: int
    items: list[MyObjectionOut]


@router.get(
    "/notices/objections/mine",
    response={200: MyObjectionPage, **ERRORS},
    summary="My objections to awards under notice (lodged while signed in), newest first, with what "
    "their receipt codes show",
)
def my_objections(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    from qinqing.policies.services.notice_objections import notice_objections_of

    qs = notice_objections_of(request.user)
    items = list(qs[page.offset : page.offset + page.limit])
    return {
        "count": qs.count(),
        "items": [{"public_id": o.public_id, **objection_follow_out(o)} for o in items],
    }

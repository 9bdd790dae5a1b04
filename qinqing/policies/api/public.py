"""The public's side of the policy API: awards under public notice (公示), and objections
to them, which anyone may lodge (a way to reach an anonymous objector is required)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.utils import check_csrf

from qinqing.common.api import BearerToken

from ..selectors import award_notice_get, award_notices
from .schemas import ERRORS, PageQuery

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
    message: str


@router.post(
    "/notices/{uuid:case_id}/objections",
    response={201: NoticeObjectionOut, **ERRORS},
    auth=[BearerToken(), session_or_anyone],
    summary="Object to an award under public notice (anyone; leave a contact when anonymous)",
)
def object_to_notice(
    request: HttpRequest, case_id: uuid.UUID, payload: NoticeObjectionIn
) -> Status[dict[str, Any]]:
    from qinqing.policies.services.cases import objection_lodge

    case = award_notice_get(case_id, today=timezone.localdate())
    actor = request.user if request.user.is_authenticated else None
    objection = objection_lodge(actor=actor, case=case, text=payload.text, contact=payload.contact)
    return Status(
        201,
        {
            "public_id": objection.public_id,
            "case_reference": case.reference or "",
            "lodged_at": objection.lodged_at,
            "message": _("Your objection was received; the issuing department will look into it."),
        },
    )

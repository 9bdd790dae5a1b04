"""Obligations over JSON, read side: the filtered list, one obligation with its due-date
changes, claims, remedy plans and alerts, the alarms to answer or decide, the claims
waiting for an answer, and the enterprise's own list (`/mine/…`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from qinqing.accounts.models import Organisation
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import PermissionDenied, ValidationFailed

from ..models import OPEN_STATUSES
from ..selectors import claims_waiting, obligations_visible
from ..worklist import claim_row
from .out import ObligationDetailOut, PageOfClaims, PageOfObligations, claim_waiting_out, obligation_out
from .reading import Listed, listed, obligation_detail_for
from .schemas import ERRORS, AlarmQuery, ClaimQuery, MineQuery, ObligationQuery

router = Router(tags=["contracts: obligations"])

DUE_ORDER = ("due_date", "project_id", "position", "id")


def _page(qs: Listed, offset: int, limit: int) -> dict[str, Any]:
    today = timezone.localdate()
    items = list(qs.order_by(*DUE_ORDER)[offset : offset + limit])
    return {"count": qs.count(), "items": [obligation_out(o, today) for o in items]}


def _overdue(qs: Listed, overdue: bool) -> Listed:
    """Past the contract's due date (a remedy plan's later date does not count)."""
    today = timezone.localdate()
    condition = {"status__in": list(OPEN_STATUSES), "original_due_date__lt": today}
    return qs.filter(**condition) if overdue else qs.exclude(**condition)


@router.get(
    "/obligations",
    response={200: PageOfObligations, **ERRORS},
    summary="Obligations I may see, by due date (side, status, kind, overdue, alarm, department, project)",
)
def list_obligations(request: HttpRequest, filters: Query[ObligationQuery]) -> dict[str, Any]:
    qs = listed(obligations_visible(request.user))
    if filters.side:
        qs = qs.filter(obligor_side=filters.side)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.overdue is not None:
        qs = _overdue(qs, filters.overdue)
    if filters.alarm_state:
        qs = qs.filter(alarm_state="" if filters.alarm_state == "none" else filters.alarm_state)
    if filters.department:
        department = Organisation.objects.filter(code=filters.department).first()
        if department is None:
            raise ValidationFailed(fields={"department": [_("No such organisation.")]})
        qs = qs.filter(obligor_department__path__startswith=department.path)
    if filters.project:
        qs = qs.filter(project__public_id=filters.project)
    return _page(qs, filters.offset, filters.limit)


@router.get(
    "/obligations/{uuid:obligation_id}",
    response={200: ObligationDetailOut, **ERRORS},
    summary="One obligation: its due rule and date changes, claims with evidence, remedy plans, alerts",
)
def get_obligation(request: HttpRequest, obligation_id: uuid.UUID) -> dict[str, Any]:
    return obligation_detail_for(request, obligation_id)


@router.get(
    "/alarms",
    response={200: PageOfObligations, **ERRORS},
    summary="Obligations with an alarm: open (to be answered with a remedy plan) or answered (to be decided)",
)
def list_alarms(request: HttpRequest, filters: Query[AlarmQuery]) -> dict[str, Any]:
    qs = listed(obligations_visible(request.user))
    qs = qs.filter(alarm_state=filters.state) if filters.state else qs.exclude(alarm_state="")
    return _page(qs, filters.offset, filters.limit)


@router.get(
    "/claims",
    response={200: PageOfClaims, **ERRORS},
    summary="Fulfilment claims waiting for an answer, the longest waiting first (the committee's work list)",
)
def list_claims(request: HttpRequest, filters: Query[ClaimQuery]) -> dict[str, Any]:
    today = timezone.localdate()
    qs = claims_waiting(request.user, stage=filters.stage, side=filters.side or "", q=filters.q)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [claim_waiting_out(claim_row(c, today)) for c in items]}


@router.get(
    "/mine/obligations",
    response={200: PageOfObligations, **ERRORS},
    summary="My enterprise's projects' obligations, both sides, by due date (enterprise users)",
)
def my_obligations(request: HttpRequest, filters: Query[MineQuery]) -> dict[str, Any]:
    if not scope_for(request.user).enterprise_ids:
        raise PermissionDenied(_("These are an enterprise's own pages; log in as the enterprise's user."))
    qs = listed(obligations_visible(request.user)).filter(
        project__enterprise_id__in=sorted(scope_for(request.user).enterprise_ids)
    )
    if filters.side:
        qs = qs.filter(obligor_side=filters.side)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return _page(qs, filters.offset, filters.limit)

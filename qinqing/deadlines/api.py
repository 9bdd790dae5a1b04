"""Deadline alerts and ladders over JSON."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.api import MAX_OFFSET
from qinqing.common.errors import NotFound, PermissionDenied, ValidationFailed

from . import services
from .ladders import find_ladder
from .selectors import AlertRow, alert_rows, ladder_views, open_alerts

router = Router(tags=["deadlines"])

RungLiteral = Literal["reminder", "warning", "alarm", "escalation"]
UnitLiteral = Literal["calendar", "working"]
MAX_LIMIT = 500

_READERS = (Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE, Role.SUPERVISOR)


class AlertOut(Schema):
    id: int
    rung: str
    rung_display: str
    rung_on: dt.date
    fired_on: dt.date
    deadline: str = Field(..., description="The deadline's public id")
    kind: str
    kind_display: str = Field(..., description="The kind, in the caller's language")
    title: str = Field(..., description="The item's name, in the caller's language")
    url: str
    organisation: str
    owner: str | None
    due_date: dt.date
    days_overdue: int = Field(
        ...,
        description="Working days past the due date (calendar days past the years the working-day "
        "calendar holds), as the other pages count them.",
    )
    paused: bool
    provisional: bool = Field(
        ...,
        description="The deadline's dates reach into a provisional calendar year (暂定): they rest on "
        "the statutory holidays only and are recomputed when the State Council's notice is entered.",
    )
    object_type: str
    object_id: str


class AlertPage(Schema):
    count: int
    items: list[AlertOut]


class RungSchema(Schema):
    name: RungLiteral
    offset: int = Field(..., ge=-3660, le=3660, description="Days from the due date; negative is before")
    unit: UnitLiteral = "working"


class LadderOut(Schema):
    kind: str
    label: str
    clock_unit: str
    overridden: bool
    note: str
    rungs: list[RungSchema]


class LadderIn(Schema):
    rungs: list[RungSchema]
    note: str = Field("", max_length=300)


def _alert_out(row: AlertRow) -> AlertOut:
    deadline = row.deadline
    return AlertOut(
        id=row.alert.pk,
        rung=row.alert.rung,
        rung_display=row.rung_label,
        rung_on=row.alert.rung_on,
        fired_on=row.alert.fired_on,
        deadline=str(deadline.public_id),
        kind=deadline.kind,
        kind_display=row.kind_label,
        title=row.title,
        url=deadline.url,
        organisation=deadline.organisation.name,
        owner=str(deadline.owner) if deadline.owner else None,
        due_date=deadline.due_date,
        days_overdue=row.days_overdue,
        paused=deadline.paused,
        provisional=deadline.provisional,
        object_type=deadline.object_type,
        object_id=deadline.object_id,
    )


@router.get("/alerts", response=AlertPage, summary="Open alerts in the caller's scope")
def list_alerts(
    request: HttpRequest,
    rung: RungLiteral | None = None,
    kind: str = "",
    limit: int = 100,
    offset: int = 0,
) -> AlertPage:
    if not scope_for(request.user).has_role(*_READERS):
        raise PermissionDenied()
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_OFFSET:
        raise ValidationFailed(fields={"limit": [str(_("This value is out of range."))]})
    qs = open_alerts(request.user, rung=rung or "", kind=kind[:64])
    items = alert_rows(qs[offset : offset + limit])
    return AlertPage(count=qs.count(), items=[_alert_out(r) for r in items])


def _ladders() -> list[LadderOut]:
    return [
        LadderOut(
            kind=v.ladder.kind,
            label=str(v.ladder.label),
            clock_unit=v.ladder.clock_unit,
            overridden=v.override is not None,
            note=v.override.note if v.override else "",
            rungs=[RungSchema(name=r.name, offset=r.offset, unit=r.unit) for r in v.rungs],  # type: ignore[arg-type]
        )
        for v in ladder_views()
    ]


def _ladder_out(kind: str) -> LadderOut:
    for out in _ladders():
        if out.kind == kind:
            return out
    raise NotFound()


@router.get("/ladders", response=list[LadderOut], summary="Each kind's ladder in force")
def list_ladders(request: HttpRequest) -> list[LadderOut]:
    return _ladders()


@router.put("/ladders/{kind}", response=LadderOut, summary="Replace a kind's rungs (admin)")
def set_ladder(request: HttpRequest, kind: str, payload: LadderIn) -> LadderOut:
    if find_ladder(kind) is None:
        raise NotFound()
    services.ladder_override_set(
        actor=request.user, kind=kind, rungs=[r.dict() for r in payload.rungs], note=payload.note
    )
    return _ladder_out(kind)


@router.delete("/ladders/{kind}", response=LadderOut, summary="Return a kind to its declared rungs (admin)")
def reset_ladder(request: HttpRequest, kind: str) -> LadderOut:
    if find_ladder(kind) is None:
        raise NotFound()
    services.ladder_override_clear(actor=request.user, kind=kind)
    return _ladder_out(kind)

"""Pieces of a case that both the enterprise's and the officials' views show."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http.response import HttpResponseBase
from ninja import Field, Schema

from qinqing.common.downloads import stored_download
from qinqing.common.errors import NotFound

from ..models import Case, CaseMaterial, CaseReturn, CaseStatus, CaseStep, Objection
from ..selectors import access_material_by_public_id
from ..steps import step_label


def step_name(step: CaseStep | dict[str, Any]) -> str:
    return step_label(step)


def current_step_name(case: Case) -> str:
    plan = case.steps_plan
    if case.status not in (CaseStatus.IN_REVIEW, CaseStatus.RETURNED) or not 0 <= case.current_step < len(
        plan
    ):
        return str(case.get_status_display())
    return step_label(plan[case.current_step])


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "public_id": case.public_id,
        "reference": case.reference or "",
        "policy": case.policy.public_id,
        "policy_title": case.policy.title,
        "enterprise": case.enterprise.public_id,
        "enterprise_name": case.enterprise.name,
        "period": case.period,
        "origin": case.origin,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "current_step": current_step_name(case),
        "award": case.award,
        "paid_amount": case.reserved if case.status == CaseStatus.PAID else None,
        "paid_at": case.paid_at,
        "submitted_at": case.submitted_at,
        "decided_at": case.decided_at,
        "notice_until": case.notice_until,
    }


class MaterialOut(Schema):
    public_id: uuid.UUID
    key: str
    name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    download: str


def material_out(case: Case, m: CaseMaterial, *, enterprise: bool) -> dict[str, Any]:
    names = {
        item.get("key"): item.get("name", "") for item in case.policy.materials if isinstance(item, dict)
    }
    base = "/api/v1/policies/mine/cases" if enterprise else "/api/v1/policies/cases"
    return {
        "public_id": m.public_id,
        "key": m.key,
        "name": names.get(m.key) or m.key,
        "original_name": m.original_name,
        "content_type": m.content_type,
        "size": m.size,
        "sha256": m.sha256,
        "uploaded_at": m.uploaded_at,
        "download": f"{base}/{case.public_id}/materials/{m.public_id}",
    }


def material_download(case: Case, material_id: uuid.UUID) -> HttpResponseBase:
    """The file as an attachment, never rendered by the browser."""
    material = access_material_by_public_id(case, material_id)
    try:
        return stored_download(
            material.stored_name, filename=material.original_name, content_type=material.content_type
        )
    except FileNotFoundError as exc:
        raise NotFound() from exc


class ReturnOut(Schema):
    step: str
    requested_at: dt.datetime
    request: str
    answered_at: dt.datetime | None
    answer: str


def return_out(r: CaseReturn) -> dict[str, Any]:
    return {
        "step": step_name(r.step),
        "requested_at": r.requested_at,
        "request": r.request,
        "answered_at": r.answered_at,
        "answer": r.answer,
    }


class ObjectionOut(Schema):
    public_id: uuid.UUID
    kind: str
    kind_label: str
    status: str
    status_label: str
    text: str
    lodged_at: dt.datetime
    handled_at: dt.datetime | None
    reply: str
    decide_by: dt.date | None = Field(None, description="The department's deadline to decide it")
    lodged_by: str | None = None
    contact: str | None = None
    handled_by: str | None = None
    assignee: str | None = Field(None, description="The official who answers for it (to officials)")


def objection_out(o: Objection, *, names: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "public_id": o.public_id,
        "kind": o.kind,
        "kind_label": str(o.get_kind_display()),
        "status": o.status,
        "status_label": str(o.get_status_display()),
        "text": o.text,
        "lodged_at": o.lodged_at,
        "handled_at": o.handled_at,
        "reply": o.reply,
        "decide_by": o.due_date,
    }
    if names:
        out.update(
            lodged_by=str(o.lodged_by) if o.lodged_by_id else None,
            contact=o.contact,
            handled_by=str(o.handled_by) if o.handled_by_id else None,
            assignee=str(o.assignee) if o.assignee_id else None,
        )
    return out

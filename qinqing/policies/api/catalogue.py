"""The policy catalogue over JSON: the public list and detail, and the department's writes."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from qinqing.accounts.models import Organisation
from qinqing.common.errors import NotFound, ValidationFailed

from .. import services
from ..models import Policy
from ..selectors import access_policy_by_public_id, policies_public, policy_public_get
from ..summaries import award_kind_label, award_lines, condition_lines
from .schemas import ERRORS

router = Router(tags=["policies"])


_ERRORS = ERRORS


class MaterialSchema(Schema):
    key: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)
    required: bool = True
    accepted: list[str] = ["pdf", "jpg", "png"]


class StepSchema(Schema):
    key: str = Field(..., max_length=32)
    role: Literal["officer", "department_head"]
    kind: Literal["review", "notice", "payment"] = "review"
    limit: int = Field(..., ge=1, le=60, description="Working days")
    name: str = Field("", max_length=100)


class PolicyOut(Schema):
    public_id: uuid.UUID
    code: str
    title: str
    summary: str
    status: str
    department: str
    department_code: str
    basis_number: str
    basis_title: str
    basis_url: str
    basis_text: str
    valid_from: dt.date
    valid_until: dt.date
    budget_total: Decimal
    cap_per_enterprise: Decimal | None
    period_kind: str
    mode: str
    steps: list[StepSchema]
    materials: list[MaterialSchema]
    version: int
    rule: dict[str, Any]
    award_kind: str
    award_lines: list[str]
    conditions: list[str] = Field(
        ..., description="The conditions in words, nested lines indented by two spaces"
    )


class PolicyIn(Schema):
    department: str = Field(..., description="Organisation code of the issuing department")
    code: str = Field(..., max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
    title: str = Field(..., min_length=1, max_length=200)
    summary: str = ""
    basis_number: str = Field(..., min_length=1, max_length=100)
    basis_title: str = Field(..., min_length=1, max_length=200)
    basis_url: str = Field("", max_length=200)
    basis_text: str = ""
    valid_from: dt.date
    valid_until: dt.date
    budget_total: Decimal = Field(..., max_digits=14, decimal_places=2)
    cap_per_enterprise: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    period_kind: Literal["once", "yearly"] = "once"
    mode: Literal["proactive", "application"] = "proactive"
    steps: list[StepSchema] | None = Field(
        None, max_length=10, description="Default: 受理 → 审核 → 复核 → 公示 → 拨付"
    )
    materials: list[MaterialSchema] = []
    rule: dict[str, Any]


class RuleIn(Schema):
    rule: dict[str, Any]


def _out(policy: Policy) -> dict[str, Any]:
    version = services.current_version(policy)
    return {
        "public_id": policy.public_id,
        "code": policy.code,
        "title": policy.title,
        "summary": policy.summary,
        "status": policy.status,
        "department": policy.department.name,
        "department_code": policy.department.code,
        "basis_number": policy.basis_number,
        "basis_title": policy.basis_title,
        "basis_url": policy.basis_url,
        "basis_text": policy.basis_text,
        "valid_from": policy.valid_from,
        "valid_until": policy.valid_until,
        "budget_total": policy.budget_total,
        "cap_per_enterprise": policy.cap_per_enterprise,
        "period_kind": policy.period_kind,
        "mode": policy.mode,
        "steps": [{"name": "", **step} for step in policy.steps],
        "materials": policy.materials,
        "version": version.number,
        "rule": version.rule,
        "award_kind": award_kind_label(version.rule),
        "award_lines": award_lines(version.rule),
        "conditions": ["  " * depth + line for depth, line in condition_lines(version.rule)],
    }


@router.get("/", response=list[PolicyOut], auth=None, summary="Published policies in force (public)")
def list_policies(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(p) for p in policies_public()]


@router.get(
    "/{uuid:public_id}",
    response={200: PolicyOut, **_ERRORS},
    auth=None,
    summary="One policy (public if published)",
)
def get_policy(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    try:
        return _out(policy_public_get(public_id))
    except NotFound:
        # Drafts and withdrawn policies are visible only to the officials in scope.
        return _out(access_policy_by_public_id(request.user, public_id))


@router.post("/", response={201: PolicyOut, **_ERRORS}, summary="Create a draft policy (department officers)")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    if data["steps"] is None:
        del data["steps"]
    else:
        data["steps"] = [{k: v for k, v in step.items() if k != "name" or v} for step in data["steps"]]
    department = Organisation.objects.filter(code=data.pop("department")).first()
    if department is None:
        raise ValidationFailed(fields={"department": [str(_("No such organisation."))]})
    policy = services.policy_create(actor=request.user, department=department, **data)
    return Status(201, _out(policy))


@router.put("/{uuid:public_id}/rule", response={200: PolicyOut, **_ERRORS}, summary="Change the rule")
def set_rule(request: HttpRequest, public_id: uuid.UUID, payload: RuleIn) -> dict[str, Any]:
    policy = access_policy_by_public_id(request.user, public_id, write=True)
    services.policy_update_rule(actor=request.user, policy=policy, rule=payload.rule)
    policy.refresh_from_db()
    return _out(policy)


@router.post("/{uuid:public_id}/publish", response={200: PolicyOut, **_ERRORS}, summary="Publish a draft")
def publish_policy(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    policy = access_policy_by_public_id(request.user, public_id, write=True)
    return _out(services.policy_publish(actor=request.user, policy=policy))


class WithdrawIn(Schema):
    reason: str = Field("", max_length=500)


@router.post("/{uuid:public_id}/withdraw", response={200: PolicyOut, **_ERRORS}, summary="Withdraw a policy")
def withdraw_policy(request: HttpRequest, public_id: uuid.UUID, payload: WithdrawIn) -> dict[str, Any]:
    policy = access_policy_by_public_id(request.user, public_id, write=True)
    return _out(services.policy_withdraw(actor=request.user, policy=policy, reason=payload.reason))

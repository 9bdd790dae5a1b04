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
from ..models import Policy, PolicyStatus
from ..selectors import access_policy_by_public_id, policies_public, policy_announced_get, policy_versions
from ..services.catalogue import version_changes
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
    reason: str = Field("", max_length=500, description="Why a published policy's rule changes (published)")


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
    summary="One policy (public if published, in force or opening later)",
)
def get_policy(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    try:
        return _out(policy_announced_get(public_id))
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
    services.policy_update_rule(actor=request.user, policy=policy, rule=payload.rule, reason=payload.reason)
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


class PolicyChangeIn(Schema):
    """Only the fields sent change. A draft may change any of them; a published policy
    is amended (a new version in force at once) and needs `reason`, which is published;
    its `period_kind` and `mode` cannot change. Send `cap_per_enterprise: null` to lift
    the cap."""

    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = None
    basis_number: str | None = Field(None, min_length=1, max_length=100)
    basis_title: str | None = Field(None, min_length=1, max_length=200)
    basis_url: str | None = Field(None, max_length=200)
    basis_text: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    budget_total: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    cap_per_enterprise: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    period_kind: Literal["once", "yearly"] | None = None
    mode: Literal["proactive", "application"] | None = None
    steps: list[StepSchema] | None = Field(None, max_length=10)
    materials: list[MaterialSchema] | None = None
    rule: dict[str, Any] | None = None
    reason: str = Field("", max_length=500, description="Why a published policy changes (required then)")


@router.patch(
    "/{uuid:public_id}",
    response={200: PolicyOut, **_ERRORS},
    summary="Edit a draft, or amend a published policy as a new version (with the reason)",
)
def change_policy(request: HttpRequest, public_id: uuid.UUID, payload: PolicyChangeIn) -> dict[str, Any]:
    policy = access_policy_by_public_id(request.user, public_id, write=True)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    rule = data.pop("rule", None)
    empty = sorted(name for name, value in data.items() if value is None and name != "cap_per_enterprise")
    if empty:
        raise ValidationFailed(fields={name: [str(_("This cannot be empty."))] for name in empty})
    if "steps" in data:
        data["steps"] = [{k: v for k, v in step.items() if k != "name" or v} for step in data["steps"]]
    if policy.status == PolicyStatus.DRAFT:
        services.policy_update(actor=request.user, policy=policy, rule=rule, **data)
    else:
        services.policy_amend(actor=request.user, policy=policy, reason=reason, rule=rule, **data)
    policy.refresh_from_db()
    return _out(policy)


class VersionOut(Schema):
    number: int
    current: bool
    created_at: dt.datetime
    published_at: dt.datetime | None
    created_by: str | None = Field(None, description="Who saved it (only for the officials in scope)")
    reason: str = Field(..., description="Why the published policy was amended (empty for the first version)")
    changed: list[str] = Field(..., description="What this version changed against the one before")
    rule: dict[str, Any]
    terms: dict[str, Any] = Field(..., description="The policy's terms this version is in force with")


@router.get(
    "/{uuid:public_id}/versions",
    response={200: list[VersionOut], **_ERRORS},
    auth=None,
    summary="A policy's versions, newest first: what each changed and why (public if published)",
)
def list_versions(request: HttpRequest, public_id: uuid.UUID) -> list[dict[str, Any]]:
    try:
        policy = access_policy_by_public_id(request.user, public_id)
        official = True
    except NotFound:
        policy = policy_announced_get(public_id)
        official = False
    versions = policy_versions(policy)
    out = []
    for k, version in enumerate(versions):
        older = versions[k + 1] if k + 1 < len(versions) else None
        out.append(
            {
                "number": version.number,
                "current": k == 0,
                "created_at": version.created_at,
                "published_at": version.published_at,
                "created_by": (str(version.created_by) if version.created_by else None) if official else None,
                "reason": version.note,
                "changed": version_changes(older, version),
                "rule": version.rule,
                "terms": version.terms,
            }
        )
    return out

"""Declared relations over JSON (mounted at /api/v1/integrity): an official's own list,
declare and end; the supervisor's list of the declarations in scope."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from qinqing.common.errors import NotFound, PermissionDenied, ValidationFailed
from qinqing.enterprises.selectors import access_enterprise_by_code

from . import services
from .models import DESCRIPTION_MAX, REASON_MAX, RelationDeclaration, RelationKind
from .selectors import (
    can_read_supervised,
    declarations_filtered,
    declarations_of,
    is_official,
    official_organisation_names,
)

router = Router(tags=["integrity"])

MAX_PAGE_SIZE = 200
KindLiteral = Literal[
    "relative_legal_representative",
    "relative_shareholder",
    "relative_employee",
    "former_employment",
    "shareholding",
    "other",
]
assert set(KindLiteral.__args__) == set(RelationKind.values)  # type: ignore[attr-defined]


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    extra: dict[str, Any] | None = None


class ErrorOut(Schema):
    error: ErrorBody


_ERRORS: dict[int | str, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class DeclarationOut(Schema):
    public_id: uuid.UUID
    official: str = Field(description="The official's login name")
    official_name: str
    organisations: list[str] = Field(description="The official's government organisations")
    enterprise_public_id: uuid.UUID
    enterprise_credit_code: str
    enterprise_name: str
    kind: str
    kind_label: str
    description: str
    declared_at: dt.datetime
    in_force: bool
    ended_at: dt.datetime | None
    ended_reason: str


class DeclarationPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[DeclarationOut]


class DeclareIn(Schema):
    enterprise: str = Field(
        ..., min_length=1, max_length=64, description="The enterprise's unified social credit code"
    )
    kind: KindLiteral
    description: str = Field("", max_length=DESCRIPTION_MAX, description="Required for kind 'other'")


class EndIn(Schema):
    reason: str = Field(..., min_length=1, max_length=REASON_MAX)


class SupervisedFilters(Schema):
    q: str = Field("", max_length=100, description="Enterprise name, pinyin or credit code; official name")
    kind: KindLiteral | None = None
    state: Literal["in_force", "ended"] | None = None
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def _out(d: RelationDeclaration) -> dict[str, Any]:
    return {
        "public_id": d.public_id,
        "official": d.official.username,
        "official_name": str(d.official),
        "organisations": official_organisation_names(d),
        "enterprise_public_id": d.enterprise.public_id,
        "enterprise_credit_code": d.enterprise.credit_code,
        "enterprise_name": d.enterprise.name,
        "kind": d.kind,
        "kind_label": str(d.get_kind_display()),
        "description": d.description,
        "declared_at": d.declared_at,
        "in_force": d.in_force,
        "ended_at": d.ended_at,
        "ended_reason": d.ended_reason,
    }


def _require_official(request: HttpRequest) -> None:
    if not is_official(request.user):
        raise PermissionDenied(
            _("Only officials (officers, department heads, committee members) declare relations.")
        )


@router.get(
    "/relations/mine",
    response={200: list[DeclarationOut], **_ERRORS},
    summary="My declared relations (officials), in force first",
)
def list_mine(request: HttpRequest) -> list[dict[str, Any]]:
    _require_official(request)
    return [_out(d) for d in declarations_of(request.user)]


@router.post(
    "/relations/mine",
    response={201: DeclarationOut, **_ERRORS},
    summary="Declare a relation of mine to an enterprise (officials)",
)
def declare(request: HttpRequest, payload: DeclareIn) -> Status[dict[str, Any]]:
    _require_official(request)
    try:
        enterprise = access_enterprise_by_code(request.user, payload.enterprise)
    except NotFound as exc:
        raise ValidationFailed(fields={"enterprise": [_("No enterprise has this credit code.")]}) from exc
    declaration = services.relation_declare(
        actor=request.user, enterprise=enterprise, kind=payload.kind, description=payload.description
    )
    return Status(201, _out(declarations_of(request.user).get(pk=declaration.pk)))


@router.post(
    "/relations/mine/{uuid:public_id}/end",
    response={200: DeclarationOut, **_ERRORS},
    summary="End a declaration of mine, with the reason",
)
def end(request: HttpRequest, public_id: uuid.UUID, payload: EndIn) -> dict[str, Any]:
    _require_official(request)
    declaration = declarations_of(request.user).filter(public_id=public_id).first()
    if declaration is None:
        raise NotFound
    services.relation_end(actor=request.user, declaration=declaration, reason=payload.reason)
    return _out(declarations_of(request.user).get(pk=declaration.pk))


@router.get(
    "/relations",
    response={200: DeclarationPageOut, **_ERRORS},
    summary="Declarations of the officials in my scope (supervisors, administrator)",
)
def list_supervised(request: HttpRequest, filters: Query[SupervisedFilters]) -> dict[str, Any]:
    if not can_read_supervised(request.user):
        raise PermissionDenied
    qs = declarations_filtered(request.user, q=filters.q, kind=filters.kind or "", state=filters.state or "")
    start = (filters.page - 1) * filters.page_size
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_out(d) for d in qs[start : start + filters.page_size]],
    }

"""JSON API of the enterprise registry (mounted at /api/v1/enterprises).

Reads follow the registry's scoping (selectors.py): government roles and the
administrator read all, an enterprise user reads its own; only the administrator
writes. Bank account numbers are masked (all but the last four digits) for everyone
but the administrator.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from qinqing.accounts.models import User
from qinqing.common.errors import PermissionDenied, ValidationFailed

from . import credit_code as cc
from .importing import file_too_large, import_limits
from .models import Enterprise, EnterpriseImport, ImportStatus
from .selectors import (
    access_enterprise_by_code,
    access_enterprise_by_id,
    access_enterprise_import_by_id,
    enterprise_list,
    region_by_code,
    registry_can_read,
    registry_can_write,
    registry_sees_bank_accounts,
)
from .services import (
    enterprise_create,
    enterprise_import,
    enterprise_set_labels,
    enterprise_set_pinyin,
    enterprise_update,
    enterprise_verify_bank_account,
)

router = Router(tags=["enterprises"])

MAX_PAGE_SIZE = 200


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    extra: dict[str, Any] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class EnterpriseSummaryOut(Schema):
    public_id: uuid.UUID
    credit_code: str
    name: str
    name_pinyin: str
    name_initials: str
    region: str = Field(description="Organisation code of the city, district or county")
    region_name: str
    industry_code: str
    status: str
    labels: dict[str, str]


class EnterpriseOut(EnterpriseSummaryOut):
    region_code: str = Field(description="Characters 3–8 of the credit code (GB/T 2260)")
    pinyin_override: bool
    legal_representative: str
    address: str
    employees: int
    insured_employees: int
    revenue: Decimal
    tax_paid: Decimal
    registered_capital: Decimal
    founded_on: dt.date | None
    bank_name: str
    bank_account_number: str = Field(
        description="Masked except the last four digits unless you are the administrator"
    )
    bank_account_name: str
    bank_account_verified: bool
    bank_account_verified_at: dt.datetime | None


class EnterprisePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[EnterpriseSummaryOut]


class ListFilters(Schema):
    q: str = Field("", max_length=100, description="Name, pinyin, initials or credit-code prefix")
    region: str = Field("", max_length=64, description="Organisation code of a region (its subtree)")
    industry: str = Field("", max_length=8, description="GB/T 4754 prefix: C, C18, C1811")
    label: str = Field("", max_length=170, description="A label key, or key=value")
    status: str = Field("", max_length=16)
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


class EnterpriseCreateIn(Schema):
    credit_code: str = Field(max_length=64)
    name: str = Field(max_length=400)
    industry_code: str = Field(max_length=16)
    region: str | None = Field(
        None, max_length=64, description="Organisation code; default: from the credit code"
    )
    status: str = Field("active", max_length=16)
    legal_representative: str = Field("", max_length=400)
    address: str = Field("", max_length=600)
    employees: int = Field(0, ge=0)
    insured_employees: int = Field(0, ge=0)
    revenue: Decimal = Field(Decimal("0"), ge=0)
    tax_paid: Decimal = Field(Decimal("0"), ge=0)
    registered_capital: Decimal = Field(Decimal("0"), ge=0)
    founded_on: dt.date | None = None
    bank_name: str = Field("", max_length=200)
    bank_account_number: str = Field("", max_length=64)
    bank_account_name: str = Field("", max_length=400)
    labels: dict[str, str] = Field(default_factory=dict)


class EnterpriseUpdateIn(Schema):
    name: str | None = Field(None, max_length=400)
    industry_code: str | None = Field(None, max_length=16)
    region: str | None = Field(None, max_length=64)
    status: str | None = Field(None, max_length=16)
    legal_representative: str | None = Field(None, max_length=400)
    address: str | None = Field(None, max_length=600)
    employees: int | None = Field(None, ge=0)
    insured_employees: int | None = Field(None, ge=0)
    revenue: Decimal | None = Field(None, ge=0)
    tax_paid: Decimal | None = Field(None, ge=0)
    registered_capital: Decimal | None = Field(None, ge=0)
    founded_on: dt.date | None = None
    bank_name: str | None = Field(None, max_length=200)
    bank_account_number: str | None = Field(None, max_length=64)
    bank_account_name: str | None = Field(None, max_length=400)


class LabelsIn(Schema):
    labels: dict[str, str]


class PinyinIn(Schema):
    reading: str | None = Field(
        None, max_length=600, description="Syllables separated by spaces; null resets"
    )


class VerifyBankAccountIn(Schema):
    account_number: str = Field(max_length=64, description="The number being verified, as shown")


class CodeIn(Schema):
    code: str = Field(max_length=64, description="The code as typed (any width or case)")


class CodeCheckOut(Schema):
    valid: bool
    code: str = Field(description="The code normalised: half width, upper case, no spaces")
    reason: str | None = Field(None, description="length, character, region or checksum")
    position: int | None = None
    message: str | None = None
    region_code: str | None = None


class ImportIssueOut(Schema):
    row: int
    status: str
    field: str
    code: str
    message: str
    credit_code: str


class FileErrorOut(Schema):
    code: str
    message: str


class ImportOut(Schema):
    public_id: uuid.UUID
    status: str = Field(
        description="queued (a worker will import it), imported (every row written), "
        "rejected or failed (nothing written)"
    )
    file_name: str
    file_format: str
    sha256: str
    row_count: int
    created_count: int
    error_count: int
    note_count: int
    issues: list[ImportIssueOut]
    issue_count: int
    truncated: bool
    file_error: FileErrorOut | None = Field(None, description="Why the whole file was refused, if it was")


def _summary(e: Enterprise) -> dict[str, Any]:
    return {
        "public_id": e.public_id,
        "credit_code": e.credit_code,
        "name": e.name,
        "name_pinyin": e.name_pinyin,
        "name_initials": e.name_initials,
        "region": e.region.code,
        "region_name": e.region.name,
        "industry_code": e.industry_code,
        "status": e.status,
        "labels": {lb.key: lb.value for lb in e.labels.all()},
    }


def _detail(request: HttpRequest, e: Enterprise) -> dict[str, Any]:
    full = registry_sees_bank_accounts(request.user)
    return {
        **_summary(e),
        "region_code": e.region_code,
        "pinyin_override": e.pinyin_override,
        "legal_representative": e.legal_representative,
        "address": e.address,
        "employees": e.employees,
        "insured_employees": e.insured_employees,
        "revenue": e.revenue,
        "tax_paid": e.tax_paid,
        "registered_capital": e.registered_capital,
        "founded_on": e.founded_on,
        "bank_name": e.bank_name,
        "bank_account_number": e.bank_account_number if full else e.bank_account_masked,
        "bank_account_name": e.bank_account_name,
        "bank_account_verified": e.bank_account_verified,
        "bank_account_verified_at": e.bank_account_verified_at,
    }


def _import_out(record: EnterpriseImport) -> dict[str, Any]:
    report = record.report or {}
    return {
        "public_id": record.public_id,
        "status": record.status,
        "file_name": record.file_name,
        "file_format": record.file_format,
        "sha256": record.sha256,
        "row_count": record.row_count,
        "created_count": record.created_count,
        "error_count": record.error_count,
        "note_count": record.note_count,
        "issues": report.get("issues", []),
        "issue_count": report.get("issue_count", 0),
        "truncated": report.get("truncated", False),
        "file_error": report.get("file_error"),
    }


def _actor(request: HttpRequest) -> User:
    # Every operation is authenticated (bearer token or session).
    return cast(User, request.user)


def _require_reader(request: HttpRequest) -> None:
    if not registry_can_read(request.user):
        raise PermissionDenied


def _require_writer(request: HttpRequest) -> None:
    if not registry_can_write(request.user):
        raise PermissionDenied(_("Only the administrator changes the enterprise registry."))


def _region(code: str | None) -> Any:
    if code is None:
        return None
    region = region_by_code(code)
    if region is None:
        raise ValidationFailed(fields={"region": [_("No city, district or county has this code.")]})
    return region


_ERRORS: dict[int | str, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/", response={200: EnterprisePageOut, **_ERRORS}, summary="List and search enterprises")
def list_enterprises(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    """Sorted by pinyin. `q` matches a Chinese name fragment, pinyin, initials or a code prefix."""
    _require_reader(request)
    region = region_by_code(filters.region) if filters.region else None
    qs = enterprise_list(
        request.user,
        q=filters.q,
        region=region,
        industry=filters.industry,
        label=filters.label,
        status=filters.status,
    )
    if filters.region and region is None:
        qs = qs.none()
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start : start + filters.page_size]) if start < count else []
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_summary(e) for e in rows],
    }


@router.get(
    "/validate-code",
    response={200: CodeCheckOut, **_ERRORS},
    summary="Check a unified social credit code",
)
def validate_code(request: HttpRequest, params: Query[CodeIn]) -> dict[str, Any]:
    """Says whether the code is valid (GB 32100-2015) and, if not, why."""
    code = params.code
    normalised = cc.normalise(code)
    try:
        cc.validate(code)
    except cc.InvalidCreditCode as exc:
        return {
            "valid": False,
            "code": normalised,
            "reason": exc.reason,
            "position": exc.position,
            "message": str(exc.message),
        }
    return {"valid": True, "code": normalised, "region_code": cc.region_code(normalised)}


@router.get(
    "/by-code/{code}", response={200: EnterpriseOut, **_ERRORS}, summary="An enterprise by credit code"
)
def get_by_code(request: HttpRequest, code: str) -> dict[str, Any]:
    _require_reader(request)
    return _detail(request, access_enterprise_by_code(request.user, code))


@router.get(
    "/{uuid:public_id}", response={200: EnterpriseOut, **_ERRORS}, summary="An enterprise by public id"
)
def get_enterprise(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    _require_reader(request)
    return _detail(request, access_enterprise_by_id(request.user, public_id))


@router.post(
    "/", response={201: EnterpriseOut, 409: ErrorOut, **_ERRORS}, summary="Register an enterprise (admin)"
)
def create_enterprise(request: HttpRequest, payload: EnterpriseCreateIn) -> Status[dict[str, Any]]:
    _require_writer(request)
    data = payload.dict()
    data["region"] = _region(data.pop("region"))
    enterprise = enterprise_create(actor=_actor(request), **data)
    return Status(201, _detail(request, access_enterprise_by_id(request.user, enterprise.public_id)))


@router.patch(
    "/{uuid:public_id}",
    response={200: EnterpriseOut, 409: ErrorOut, **_ERRORS},
    summary="Change an enterprise (admin)",
)
def update_enterprise(
    request: HttpRequest, public_id: uuid.UUID, payload: EnterpriseUpdateIn
) -> dict[str, Any]:
    """Only the fields sent are changed; the credit code never changes."""
    _require_writer(request)
    enterprise = access_enterprise_by_id(request.user, public_id)
    data = payload.dict(exclude_unset=True)
    if "region" in data:
        data["region"] = _region(data["region"]) if data["region"] is not None else None
    nulls = sorted(k for k, v in data.items() if v is None and k != "founded_on")
    if nulls:
        raise ValidationFailed(fields={k: [_("This field cannot be empty.")] for k in nulls})
    enterprise_update(actor=_actor(request), enterprise=enterprise, data=data)
    return _detail(request, access_enterprise_by_id(request.user, public_id))


@router.put(
    "/{uuid:public_id}/labels", response={200: EnterpriseOut, **_ERRORS}, summary="Replace the labels (admin)"
)
def set_labels(request: HttpRequest, public_id: uuid.UUID, payload: LabelsIn) -> dict[str, Any]:
    _require_writer(request)
    enterprise = access_enterprise_by_id(request.user, public_id)
    enterprise_set_labels(actor=_actor(request), enterprise=enterprise, labels=payload.labels)
    return _detail(request, access_enterprise_by_id(request.user, public_id))


@router.put(
    "/{uuid:public_id}/pinyin", response={200: EnterpriseOut, **_ERRORS}, summary="Correct the pinyin (admin)"
)
def set_pinyin(request: HttpRequest, public_id: uuid.UUID, payload: PinyinIn) -> dict[str, Any]:
    _require_writer(request)
    enterprise = access_enterprise_by_id(request.user, public_id)
    enterprise_set_pinyin(actor=_actor(request), enterprise=enterprise, reading=payload.reading)
    return _detail(request, access_enterprise_by_id(request.user, public_id))


@router.post(
    "/{uuid:public_id}/verify-bank-account",
    response={200: EnterpriseOut, 409: ErrorOut, **_ERRORS},
    summary="Mark the bank account as verified (admin)",
)
def verify_bank_account(
    request: HttpRequest, public_id: uuid.UUID, payload: VerifyBankAccountIn
) -> dict[str, Any]:
    _require_writer(request)
    enterprise = access_enterprise_by_id(request.user, public_id)
    enterprise_verify_bank_account(
        actor=_actor(request),
        enterprise=enterprise,
        account_number=payload.account_number,
    )
    return _detail(request, access_enterprise_by_id(request.user, public_id))


@router.post(
    "/import",
    response={200: ImportOut, 202: ImportOut, 409: ErrorOut, **_ERRORS},
    summary="Import enterprises from CSV or .xlsx (admin)",
)
def import_enterprises(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """All rows or none. A small file is imported at once: 200 with `status` imported
    or rejected and the rows to look at. A big one (over 1 MB) answers 202 with
    `status` queued; follow it at /imports/{public_id}. A file that cannot be read at
    all (size, type, encoding, columns) answers 400 with the error format."""
    _require_writer(request)
    max_bytes, _rows = import_limits()
    if file.size is not None and file.size > max_bytes:
        raise file_too_large(max_bytes)
    record = enterprise_import(actor=_actor(request), file_name=file.name or "upload", data=file.read())
    return Status(202 if record.status == ImportStatus.QUEUED else 200, _import_out(record))


@router.get(
    "/imports/{uuid:public_id}",
    response={200: ImportOut, **_ERRORS},
    summary="An import and its report (admin)",
)
def get_import(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    _require_writer(request)
    return _import_out(access_enterprise_import_by_id(request.user, public_id))

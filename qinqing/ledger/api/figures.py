"""The commission's figures over JSON, as its pages show them: the dashboard's (totals,
per channel, category, department ranked, campaign), and the reports (问题线索月报,
工作进展季报, 点评通报): ask for one, follow it while the job prepares it, read its stored
figures, download its workbook and PDF.

Only supervisors (the commission's staff and the groups') read these, each within their
reach; what lies outside it is a 404 as on the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.responses import Status

from qinqing.common.errors import NotFound, ValidationFailed

from ..figures import labelled
from ..filters import CITY_LEVEL, ProblemFilters
from ..models import LedgerReport, ReportKind, ReportStatus
from ..selectors import reports_for
from ..services.dashboard import dashboard_figures
from ..services.reports import REPORT_FILE_TYPES, report_download, report_generate
from .acting import SUPERVISING, area_in_reach, organisation, require_role
from .out import BASE
from .routing import router
from .schemas import CODE, ERRORS, PageQuery, TextIn

TAGS = ["ledger: dashboard and reports"]


def require_commission(request: HttpRequest) -> None:
    require_role(request, SUPERVISING, _("The dashboard and the reports are the commission's."))


# --- The dashboard ------------------------------------------------------------------------------


class DashboardQuery(TextIn):
    date_from: dt.date | None = Field(None, alias="from", description="Registered on or after")
    date_to: dt.date | None = Field(None, alias="to", description="Registered on or before")
    area: str = Field(
        "",
        max_length=40,
        description=f"A district's or county's public id, `{CITY_LEVEL}` for the city's own departments, "
        "or empty for everything in the reader's reach",
    )


class DashboardOut(Schema):
    as_of: dt.datetime | None = Field(
        ...,
        description="When the figures were counted, for a ledger large enough to be kept as a snapshot "
        "(refreshed every few minutes); null when they are counted live",
    )
    totals: dict[str, Any]
    channels: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    departments: list[dict[str, Any]] = Field(
        ..., description="Ranked: closure rate, timeliness, satisfaction"
    )
    campaigns: list[dict[str, Any]]


@router.get(
    "/dashboard",
    tags=TAGS,
    response={200: DashboardOut, **ERRORS},
    summary="The commission's dashboard figures: problems registered in the period, in the reader's reach",
)
def dashboard(request: HttpRequest, filters: Query[DashboardQuery]) -> dict[str, Any]:
    require_commission(request)
    area = area_in_reach(request.user, filters.area)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationFailed(fields={"to": [_("The period must end on or after the day it starts.")]})
    query = ProblemFilters(date_from=filters.date_from, date_to=filters.date_to, area=area).query()
    data, as_of, _key = dashboard_figures(request.user, query)
    return {"as_of": as_of, **labelled(data)}


# --- Reports ------------------------------------------------------------------------------------


class ReportRequestIn(TextIn):
    kind: ReportKind
    scope: str = Field(..., min_length=1, max_length=64, pattern=CODE, description="The organisation's code")
    period_start: dt.date = Field(
        ...,
        description="For the quarterly report, the first day of a calendar quarter (1 Jan, Apr, Jul, Oct)",
    )
    period_end: dt.date = Field(
        ...,
        description="At the latest today; a period ending today is provisional. For the quarterly "
        "report, the last day of the quarter it starts",
    )


class LedgerReportOut(Schema):
    public_id: uuid.UUID
    kind: str
    kind_label: str
    scope: str
    scope_name: str
    period_start: dt.date
    period_end: dt.date
    status: str
    status_label: str
    provisional_as_of: dt.datetime | None = Field(
        ..., description="For a period that had not ended: the instant its figures were counted"
    )
    created_at: dt.datetime
    generated_at: dt.datetime | None
    figures_sha256: str
    files: dict[str, str] = Field(..., description="Downloads (as attachments) once the report is ready")
    error: str


class LedgerReportDetailOut(LedgerReportOut):
    figures: dict[str, Any] | None = Field(..., description="The stored figures every file is written from")


class PageOfLedgerReports(Schema):
    count: int
    items: list[LedgerReportOut]


class ReportQuery(PageQuery):
    kind: ReportKind | None = None
    status: Literal["pending", "ready", "failed"] | None = None


def report_out(report: LedgerReport, *, figures: bool = False) -> dict[str, Any]:
    ready = report.status == ReportStatus.READY
    as_of = (report.figures or {}).get("as_of") if ready else None
    out = {
        "public_id": report.public_id,
        "kind": report.kind,
        "kind_label": str(report.get_kind_display()),
        "scope": report.scope.code,
        "scope_name": report.scope.name,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "provisional_as_of": dt.datetime.fromisoformat(as_of) if as_of else None,
        "created_at": report.created_at,
        "generated_at": report.generated_at,
        "figures_sha256": report.figures_sha256,
        "files": {fmt: f"{BASE}/reports/{report.public_id}/files/{fmt}" for fmt in REPORT_FILE_TYPES}
        if ready
        else {},
        "error": report.error if report.status == ReportStatus.FAILED else "",
    }
    if figures:
        out["figures"] = report.figures if ready else None
    return out


def _report(request: HttpRequest, public_id: uuid.UUID) -> LedgerReport:
    found = reports_for(request.user).filter(public_id=public_id).first()
    if found is None:
        raise NotFound()
    return found


@router.get(
    "/reports",
    tags=TAGS,
    response={200: PageOfLedgerReports, **ERRORS},
    summary="Reports asked for in the reader's reach, and those they asked for, newest first",
)
def list_reports(request: HttpRequest, filters: Query[ReportQuery]) -> dict[str, Any]:
    require_commission(request)
    qs = reports_for(request.user).order_by("-created_at", "-id")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [report_out(r) for r in items]}


@router.post(
    "/reports",
    tags=TAGS,
    response={202: LedgerReportOut, **ERRORS},
    summary="Ask for a report of a period and an organisation (with everything under it); a job "
    "prepares it: follow it at its address until it is ready",
)
def ask_for_report(request: HttpRequest, payload: ReportRequestIn) -> Status[dict[str, Any]]:
    require_commission(request)
    made = report_generate(
        actor=request.user,
        kind=payload.kind,
        scope=organisation(payload.scope, "scope"),
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(202, report_out(LedgerReport.objects.select_related("scope").get(pk=made.pk)))


@router.get(
    "/reports/{uuid:report_id}",
    tags=TAGS,
    response={200: LedgerReportDetailOut, **ERRORS},
    summary="One report: its status, and once ready its figures and files",
)
def read_report(request: HttpRequest, report_id: uuid.UUID) -> dict[str, Any]:
    require_commission(request)
    return report_out(_report(request, report_id), figures=True)


@router.get(
    "/reports/{uuid:report_id}/files/{fmt}",
    tags=TAGS,
    response={200: None, **ERRORS},
    summary="A ready report's workbook (xlsx) or PDF, as an attachment",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    ctype: {"schema": {"type": "string", "format": "binary"}}
                    for ctype in REPORT_FILE_TYPES.values()
                },
            }
        }
    },
)
def report_file(request: HttpRequest, report_id: uuid.UUID, fmt: Literal["xlsx", "pdf"]) -> HttpResponseBase:
    require_commission(request)
    return report_download(_report(request, report_id), fmt)

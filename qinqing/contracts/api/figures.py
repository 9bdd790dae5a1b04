"""Figures and open data over JSON: the dashboard's fulfilment figures (per side, per
obligor department, per enterprise) over what the user may see, and the OCDS 1.1
release packages of a project and of a contract. The figures are the ones the pages
and the exports show (`qinqing.contracts.reports`); the packages the ones the open-data
pages serve (`qinqing.contracts.ocds`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from qinqing.accounts.models import Organisation
from qinqing.common.errors import NotFound
from qinqing.enterprises.models import Enterprise

from .. import reports
from ..models import Contract
from ..ocds import contract_release_package, project_release_package
from ..selectors import access_project_by_public_id, obligations_visible, projects_visible
from .schemas import ERRORS

router = Router(tags=["contracts: figures and open data"])


class FiguresOut(Schema):
    total: int = Field(..., description="Obligations not cancelled")
    pending: int = Field(..., description="Without a due date yet")
    owed: int = Field(..., description="Open, claimed or disputed")
    met: int
    met_on_time: int = Field(
        ..., description="Met in full on or before the contract's due date (a remedy plan's does not count)"
    )
    met_early: int
    met_late: int = Field(..., description="Met in full after the contract's due date")
    met_late_remedied: int = Field(..., description="Of met_late: met by the date of an accepted remedy plan")
    partly_met: int
    overdue_open: int = Field(
        ..., description="Still owed, past the contract's due date (a remedy plan's later date or not)"
    )
    rescheduled: int = Field(..., description="Not cancelled, with a remedy plan accepted")
    rescheduled_repeatedly: int = Field(..., description="With two or more remedy plans accepted")
    moved_after_miss: int = Field(
        ...,
        description="Whose contract's due date, once passed unmet, was moved because its starting "
        "point's date changed: a project event corrected, or a claim settling the obligation it "
        "counts from on another day",
    )
    open_alarms: int
    answered_alarms: int
    due_so_far: int
    cancelled: int
    days_early_sum: int
    avg_days_early: float | None
    fulfilment_rate: float | None = Field(
        ..., description="met_on_time / due_so_far; null when nothing is due"
    )


class SummaryOut(Schema):
    government: FiguresOut
    enterprise: FiguresOut
    all: FiguresOut


class DepartmentFiguresOut(FiguresOut):
    department: str = Field(..., description="Organisation code")
    name: str


class EnterpriseFiguresOut(FiguresOut):
    enterprise: uuid.UUID
    name: str
    credit_code: str


class DashboardOut(Schema):
    projects: int
    summary: SummaryOut
    by_department: list[DepartmentFiguresOut] = Field(..., description="The government's obligations")
    by_enterprise: list[EnterpriseFiguresOut] = Field(..., description="The enterprises' own obligations")


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in FiguresOut.model_fields}


@router.get(
    "/dashboard",
    response={200: DashboardOut, **ERRORS},
    summary="Fulfilment figures over what I may see: per side, per obligor department, per enterprise",
)
def dashboard(request: HttpRequest) -> dict[str, Any]:
    qs = obligations_visible(request.user)
    departments = reports.by_department(qs)
    enterprises = reports.by_enterprise(qs)
    codes = dict(Organisation.objects.filter(pk__in=[d["id"] for d in departments]).values_list("pk", "code"))
    public_ids = dict(
        Enterprise.objects.filter(pk__in=[e["id"] for e in enterprises]).values_list("pk", "public_id")
    )
    return {
        "projects": projects_visible(request.user).count(),
        "summary": reports.fulfilment_summary(qs),
        "by_department": [
            {**_figures(d), "department": codes[d["id"]], "name": d["name"]} for d in departments
        ],
        "by_enterprise": [
            {
                **_figures(e),
                "enterprise": public_ids[e["id"]],
                "name": e["name"],
                "credit_code": e["credit_code"],
            }
            for e in enterprises
        ],
    }


OCDS_RESPONSE = {
    "responses": {
        "200": {
            "description": "An OCDS 1.1 release package (https://standard.open-contracting.org/1.1/)",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
}


@router.get(
    "/projects/{uuid:project_id}/ocds",
    response={200: dict[str, Any], **ERRORS},
    summary="The project's contracts as an OCDS 1.1 release package (one release per contract)",
    openapi_extra=OCDS_RESPONSE,
)
def project_ocds(request: HttpRequest, project_id: uuid.UUID) -> dict[str, Any]:
    project = access_project_by_public_id(request.user, project_id)
    if not project.contracts.exists():
        # OCDS wants at least one release: no package before the first contract.
        raise NotFound(_("The project has no contract yet: there is nothing to publish."))
    return project_release_package(project, base_url=request.build_absolute_uri("/"))


@router.get(
    "/contracts/{uuid:contract_id}/ocds",
    response={200: dict[str, Any], **ERRORS},
    summary="One contract as an OCDS 1.1 release package",
    openapi_extra=OCDS_RESPONSE,
)
def contract_ocds(request: HttpRequest, contract_id: uuid.UUID) -> dict[str, Any]:
    contract = Contract.objects.filter(
        project__in=projects_visible(request.user).values("pk"), public_id=contract_id
    ).first()
    if contract is None:
        raise NotFound()
    return contract_release_package(contract, base_url=request.build_absolute_uri("/"))

"""Open data: OCDS release packages, Excel exports of the contracts' tables, and the
public page of aggregate figures.

Records come only through the contracts' selectors: an enterprise user gets its own
projects, a committee member its zone, a department the projects it owes something in,
a supervisor everything its reach covers.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound

from .. import export, reports, selectors
from ..models import Contract, Obligation, ObligationKind, ObligationStatus, ObligorSide, Project
from ..ocds import contract_release_package, project_release_package
from ..ocds.codes import EXTENSION_DIR
from ..worklist import claim_row
from .browse import ProjectFilters
from .claims import ClaimFilters

# The dashboard's readers: officials and supervisors (an enterprise has its own pages).
OFFICIAL_ROLES = (Role.OFFICER, Role.DEPARTMENT_HEAD, Role.COMMITTEE, Role.SUPERVISOR)


def _require_official(request: HttpRequest) -> None:
    if not scope_for(request.user).has_role(*OFFICIAL_ROLES):
        raise PermissionDenied


# --- OCDS ------------------------------------------------------------------------------------


def attachment_header(filename: str) -> str:
    """`attachment` named `filename`: an ASCII name for old clients and, when the name
    is not ASCII, RFC 5987's `filename*` (UTF-8, percent-encoded) that browsers prefer."""
    fallback = re.sub(r"[^\x20-\x7e]+", "_", filename).replace("\\", "_").replace('"', "_")
    if fallback == filename:
        return content_disposition_header(True, filename) or f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _json_download(package: dict[str, Any], filename: str) -> JsonResponse:
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})
    # RFC 6266 with RFC 5987's filename* for a name in Chinese (a contract's number): set
    # as a plain string, Django would encode it as RFC 2047 (=?utf-8?b?…?=), which no
    # browser reads, and the browser would open the JSON instead of saving it.
    response["Content-Disposition"] = attachment_header(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
@login_required
def ocds_contract(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    contract = (
        Contract.objects.filter(public_id=public_id, project__in=selectors.projects_visible(request.user))
        .select_related("project")
        .first()
    )
    if contract is None:
        raise Http404
    package = contract_release_package(contract, base_url=_base_url(request))
    return _json_download(package, f"ocds-{contract.project.reference}-{contract.number}.json")


@require_GET
@login_required
def ocds_project(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        project = selectors.access_project_by_public_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc
    if not Contract.objects.filter(project=project).exists():
        # OCDS wants at least one release: no package before the first contract.
        raise Http404
    package = project_release_package(project, base_url=_base_url(request))
    return _json_download(package, f"ocds-{project.reference}.json")


EXTENSION_FILES = ("extension.json", "release-schema.json", "README.md")


@require_GET
@cache_control(public=True, max_age=3600)
def ocds_extension(request: HttpRequest, name: str) -> HttpResponse:
    """The OCDS extension's files, public, so that `extensions` in a package resolves."""
    if name not in EXTENSION_FILES:
        raise Http404
    text = (EXTENSION_DIR / name).read_text(encoding="utf-8")
    if name == "README.md":
        return HttpResponse(text, content_type="text/markdown; charset=utf-8")
    data = json.loads(text)
    if name == "extension.json":
        readme = reverse("contracts:ocds_extension", args=["README.md"])
        data["documentationUrl"] = {"en": request.build_absolute_uri(readme)}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})


# --- Excel exports ------------------------------------------------------------------------


@require_GET
@login_required
def export_projects(request: HttpRequest) -> HttpResponseBase:
    """The projects list with the page's filters (the same query string), unpaged."""
    filters = ProjectFilters.from_request(request)
    projects = filters.apply(selectors.projects_visible(request.user), request.user)
    projects = projects.select_related("enterprise", "committee").order_by("-signed_on", "reference")
    figures = {row["id"]: row for row in reports.by_project(selectors.obligations_visible(request.user))}
    return export.xlsx_response(export.projects_workbook(projects[: export.MAX_ROWS], figures), "projects")


@require_GET
@login_required
def export_project(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    try:
        project = selectors.access_project_by_public_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc
    obligations = selectors.with_alarm_state(selectors.project_obligations(project))
    book = export.project_workbook(project, obligations, today=timezone.localdate())
    return export.xlsx_response(book, f"project-{project.reference}")


@require_GET
@login_required
def export_dashboard(request: HttpRequest) -> HttpResponseBase:
    _require_official(request)
    today = timezone.localdate()
    obligations = selectors.obligations_visible(request.user)
    owed_to = reports.by_enterprise(obligations, side=ObligorSide.GOVERNMENT, today=today)
    book = export.dashboard_workbook(
        reports.fulfilment_summary(obligations, today=today),
        reports.by_department(obligations, today=today),
        reports.by_enterprise(obligations, today=today),
        reports.by_project(obligations, today=today),
        owed_to={row["id"]: row for row in owed_to},
    )
    return export.xlsx_response(book, "contracts-dashboard")


@require_GET
@login_required
def export_alarms(request: HttpRequest) -> HttpResponseBase:
    """The alarms page's rows (open and answered, or the `state` asked for), unpaged."""
    _require_official(request)
    state = request.GET.get("state", "")
    states = [state] if state in ("open", "answered") else ["open", "answered"]
    rows = (
        selectors.with_alarm_state(selectors.obligations_visible(request.user))
        .filter(reduce(or_, (Q(alarm_state=s) for s in states)))
        .select_related("project__enterprise", "obligor_department")
        .order_by("due_date", "project__reference", "id")
    )
    book = export.alarms_workbook(rows[: export.MAX_ROWS], today=timezone.localdate())
    return export.xlsx_response(book, "contracts-alarms")


@require_GET
@login_required
def export_claims(request: HttpRequest) -> HttpResponseBase:
    """The claims work list with the page's filters (the same query string), unpaged."""
    _require_official(request)
    filters = ClaimFilters.from_request(request)
    today = timezone.localdate()
    claims = selectors.claims_waiting(request.user, stage=filters.stage, side=filters.side, q=filters.q)
    book = export.claims_workbook(claim_row(claim, today) for claim in claims[: export.MAX_ROWS])
    return export.xlsx_response(book, "contracts-claims")


# --- The public page ----------------------------------------------------------------------


def public_figures() -> dict[str, Any]:
    """Aggregates over every active project: counts, land, both sides' rates, per zone.
    No enterprise is named, overdue or not."""
    projects = Project.objects.all()
    totals = projects.aggregate(
        projects=Count("pk"),
        land_mu=Sum("land_area_mu"),
        investment=Sum("planned_investment"),
    )
    # Land supplied: the projects whose land delivery the government has (partly) met.
    delivered = Obligation.objects.filter(
        project=OuterRef("pk"),
        kind=ObligationKind.LAND_DELIVERY,
        status__in=[ObligationStatus.MET, ObligationStatus.PARTLY_MET],
    )
    supplied = projects.filter(Exists(delivered)).aggregate(projects=Count("pk"), land_mu=Sum("land_area_mu"))
    totals["land_supplied_projects"] = supplied["projects"]
    totals["land_supplied_mu"] = supplied["land_mu"]
    obligations = Obligation.objects.all()
    summary = reports.fulfilment_summary(obligations)
    zones = reports.by_zone(obligations)
    zone_projects = {
        row["committee_id"]: row
        for row in projects.order_by()
        .values("committee_id")
        .annotate(projects=Count("pk"), land_mu=Sum("land_area_mu"))
    }
    for zone in zones:
        counts = zone_projects.get(zone["id"], {})
        zone["projects"] = counts.get("projects", 0)
        zone["land_mu"] = counts.get("land_mu")
    return {"totals": totals, "summary": summary, "zones": zones}


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    figures = public_figures()
    summary = figures["summary"]
    chart = {
        "zones": [zone["name"] for zone in figures["zones"]],
        "series": [
            {
                "name": _("Government"),
                "data": [_percent(z[ObligorSide.GOVERNMENT]["fulfilment_rate"]) for z in figures["zones"]],
            },
            {
                "name": _("Enterprises"),
                "data": [_percent(z[ObligorSide.ENTERPRISE]["fulfilment_rate"]) for z in figures["zones"]],
            },
        ],
    }
    return render(
        request,
        "contracts/public.html",
        {
            "totals": figures["totals"],
            "government": summary[ObligorSide.GOVERNMENT],
            "enterprise": summary[ObligorSide.ENTERPRISE],
            "all": summary["all"],
            "government_rate": _percent(summary[ObligorSide.GOVERNMENT]["fulfilment_rate"]),
            "enterprise_rate": _percent(summary[ObligorSide.ENTERPRISE]["fulfilment_rate"]),
            "zones": [
                {
                    **zone,
                    "government_rate": _percent(zone[ObligorSide.GOVERNMENT]["fulfilment_rate"]),
                    "enterprise_rate": _percent(zone[ObligorSide.ENTERPRISE]["fulfilment_rate"]),
                }
                for zone in figures["zones"]
            ],
            "chart": chart,
        },
    )

"""The committee's and the supervisor's dashboard: projects, obligations on time, early,
late and with open alarms, per side, per department and per enterprise, and the
government's fulfilment rate beside the enterprises'.

Every figure comes from `qinqing.contracts.reports` over the obligations the reader
sees (the same definitions as the Excel exports and the public page).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Role
from qinqing.common.permissions import require_roles
from qinqing.contracts import reports, selectors
from qinqing.contracts.models import ObligorSide

from .browse import optional_url

require_dashboard_readers = require_roles(Role.COMMITTEE, Role.SUPERVISOR)

EXPORTS = (
    ("contracts:export_dashboard", "dashboard"),
    ("contracts:export_projects", "projects"),
    ("contracts:export_alarms", "alarms"),
)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def chart_data(summary: dict[str, Any], departments: list[dict[str, Any]]) -> dict[str, Any]:
    """What dashboard.js draws: the two sides' fulfilment rates as gauges, and the
    government's obligations per department as stacked bars."""
    government = summary[ObligorSide.GOVERNMENT]
    enterprise = summary[ObligorSide.ENTERPRISE]
    return {
        "rates": [
            {"name": _("Government"), "value": _percent(government["fulfilment_rate"])},
            {"name": _("Enterprises"), "value": _percent(enterprise["fulfilment_rate"])},
        ],
        "departments": {
            "names": [d["name"] for d in departments],
            "series": [
                {"key": "on_time", "name": _("Met on time"), "data": [d["met_on_time"] for d in departments]},
                {"key": "partly", "name": _("Partly met"), "data": [d["partly_met"] for d in departments]},
                {"key": "late", "name": _("Met late"), "data": [d["met_late"] for d in departments]},
                {"key": "overdue", "name": _("Overdue"), "data": [d["overdue_open"] for d in departments]},
                {
                    "key": "open",
                    "name": _("Owed, not yet due"),
                    "data": [max(d["owed"] - d["overdue_open"], 0) for d in departments],
                },
                {
                    "key": "pending",
                    "name": _("Waiting for its starting point"),
                    "data": [d["pending"] for d in departments],
                },
            ],
        },
        "labels": {"rate": _("Fulfilment rate"), "none": _("nothing due yet")},
    }


@require_GET
@login_required
@require_dashboard_readers
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    obligations = selectors.obligations_visible(request.user)
    summary = reports.fulfilment_summary(obligations, today=today)
    departments = reports.by_department(obligations, today=today)
    enterprises = reports.by_enterprise(obligations, today=today)
    owed_to = {row["id"]: row for row in reports.by_enterprise(obligations, side="government", today=today)}
    projects = reports.by_project(obligations, today=today)
    # by_project's "enterprise" key holds that side's figures, so the enterprise's name
    # comes from here (one query, which also counts the projects).
    names = dict(selectors.projects_visible(request.user).order_by().values_list("pk", "enterprise__name"))
    project_count = len(names)
    for row in projects:
        row["url"] = optional_url("contracts:project", row["public_id"])
        row["enterprise_name"] = names.get(row["id"], "")
    for row in enterprises:
        owed = owed_to.get(row["id"])
        row["government_percent"] = _percent(owed["fulfilment_rate"]) if owed else None
    for section in (summary[ObligorSide.GOVERNMENT], summary[ObligorSide.ENTERPRISE], summary["all"]):
        section["percent"] = _percent(section["fulfilment_rate"])
    for row in [*departments, *enterprises]:
        row["percent"] = _percent(row["fulfilment_rate"])
    exports = [(key, url) for name, key in EXPORTS if (url := optional_url(name))]
    return render(
        request,
        "contracts/dashboard.html",
        {
            "summary": summary,
            "government": summary[ObligorSide.GOVERNMENT],
            "enterprise": summary[ObligorSide.ENTERPRISE],
            "departments": departments,
            "enterprises": enterprises,
            "projects": projects,
            "project_count": project_count,
            "chart": chart_data(summary, departments),
            "exports": dict(exports),
            "today": today,
        },
    )

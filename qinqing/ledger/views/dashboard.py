"""The commission's dashboard: the figures of the problems a supervisor reads, in total,
per channel, per category, per department (ranked) and per campaign, for a period and a
district or county, with drill-down links to the problem list. The figures and their
definitions are in `figures.py`; over a whole city they come from a snapshot a few
minutes old (services/dashboard.py), and the page says as of when.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.common.xlsx import xlsx_response

from ..figures import ranking_min_volume
from ..filters import CITY_LEVEL, ProblemFilters
from ..forms_office import DashboardFilterForm
from ..models import ProblemStatus
from ..selectors import districts_for
from ..services.dashboard import dashboard_figures
from .office import render_office, require_commission


def dashboard_filters(request: HttpRequest) -> tuple[DashboardFilterForm, ProblemFilters]:
    """The period and area the dashboard covers; what is not valid is shown as an error
    and left out, the rest still applies."""
    districts = districts_for(request.user)
    form = DashboardFilterForm(request.GET or None, districts=districts)
    if not form.is_bound:
        return form, ProblemFilters()
    form.is_valid()
    data = form.cleaned_data
    return form, ProblemFilters(
        date_from=data.get("from"),
        date_to=data.get("to"),
        area=data.get("area") or "",
    )


def _number(value: Any, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


def figure_cells(row: dict[str, Any]) -> SafeString:
    """A table row's eight figure cells (registered with its drill-down link, open,
    overdue with its link, rectified, closed, the two rates, the mean score). Built here,
    not by an include per row: the ranking has a row per department (docs/benchmarks.md).
    The values are numbers; the links are escaped."""
    registered = row["registered"]
    if row.get("url"):
        registered = f'<a href="{escape(row["url"])}">{registered}</a>'
    overdue = row["overdue"]
    overdue_class = " text-danger fw-semibold" if overdue else ""
    if overdue and row.get("overdue_url"):
        overdue = f'<a class="link-danger" href="{escape(row["overdue_url"])}">{overdue}</a>'
    cells = (
        f'<td class="text-end">{registered}</td>',
        f'<td class="text-end">{row["open"]:d}</td>',
        f'<td class="text-end{overdue_class}">{overdue}</td>',
        f'<td class="text-end">{row["rectified"]:d}</td>',
        f'<td class="text-end">{row["closed"]:d}</td>',
        f'<td class="text-end">{_number(row["closure_percent"], "%")}</td>',
        f'<td class="text-end">{_number(row["on_time_percent"], "%")}</td>',
        f'<td class="text-end">{_number(row["satisfaction"])}</td>',
    )
    return mark_safe("".join(cells))  # noqa: S308 - numbers and escaped links only


def figure_heads() -> SafeString:
    """The eight figure columns' headings, for each table's head."""
    names = (
        _("Registered"),
        _("Open"),
        _("Overdue"),
        _("Rectified"),
        _("Closed"),
        _("Closure rate"),
        _("On-time rate"),
        _("Mean satisfaction"),
    )
    return mark_safe("".join(f'<th scope="col" class="text-end">{escape(name)}</th>' for name in names))  # noqa: S308


def department_rows(departments: list[dict[str, Any]]) -> SafeString:
    """The ranking's rows: rank, name, figures (one per department of the city)."""
    return mark_safe(  # noqa: S308 - the name escaped, the cells built by figure_cells
        "\n".join(
            f'<tr data-testid="department-row"><td>{row["rank"] if row["rank"] is not None else "—"}</td>'
            f'<th scope="row" class="fw-normal">{escape(row["name"])}</th>{row["cells"]}</tr>'
            for row in departments
        )
    )


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """What dashboard.js draws, with each bar's or slice's drill-down link (the rows'
    `url`, set by the view)."""
    channels, categories = data["channels"], data["categories"]
    departments, campaigns = data["departments"][:20], data["campaigns"][:20]
    return {
        "channels": {
            "names": [r["name"] for r in channels],
            "urls": [r["url"] for r in channels],
            "series": [
                {"key": "closed", "name": _("Closed"), "data": [r["closed"] for r in channels]},
                {
                    "key": "verified",
                    "name": _("Rectified, awaiting the return visit"),
                    "data": [r["rectified"] - r["closed"] for r in channels],
                },
                {
                    "key": "open",
                    "name": _("Open, not overdue"),
                    "data": [r["open"] - r["overdue"] for r in channels],
                },
                {"key": "overdue", "name": _("Overdue"), "data": [r["overdue"] for r in channels]},
            ],
        },
        "categories": [{"name": r["name"], "value": r["registered"], "url": r["url"]} for r in categories],
        "departments": {
            "names": [r["name"] for r in departments],
            "urls": [r["url"] for r in departments],
            "series": [
                {
                    "key": "closure",
                    "name": _("Closure rate"),
                    "data": [r["closure_percent"] for r in departments],
                },
                {
                    "key": "on_time",
                    "name": _("On-time rate"),
                    "data": [r["on_time_percent"] for r in departments],
                },
            ],
        },
        "campaigns": {
            "names": [r["name"] for r in campaigns],
            "urls": [r["url"] for r in campaigns],
            "series": [
                {"key": "registered", "name": _("Registered"), "data": [r["registered"] for r in campaigns]},
                {"key": "closed", "name": _("Closed"), "data": [r["closed"] for r in campaigns]},
            ],
        },
        "labels": {"percent": "%"},
    }


@require_GET
@login_required
@require_commission
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form, filters = dashboard_filters(request)
    query = filters.query()
    data, as_of, key = dashboard_figures(request.user, query)
    export = reverse("ledger:dashboard_export")
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "totals": data["totals"],
        "channels": data["channels"],
        "categories": data["categories"],
        "departments": data["departments"],
        "campaigns": data["campaigns"],
        "export_url": f"{export}?{query}" if query else export,
        "city_level": CITY_LEVEL,
        "today": today,
        "as_of": as_of,
        "ranking_min_volume": ranking_min_volume(),
    }
    # A snapshot's figures are the same for every viewer until it is refreshed: the part
    # of the page they fill is rendered once per process and language, and reused.
    fragment = (key, as_of, get_language(), query) if key else None
    body = _BODIES.get(fragment) if fragment else None
    if body is None:
        context.update(_body_context(data, filters))
        if fragment:
            body = render_to_string("ledger/office/dashboard.html#body", context, request)
            if len(_BODIES) >= _BODIES_KEPT:
                _BODIES.clear()
            _BODIES[fragment] = body
    context["body_html"] = body
    return render_office(request, "ledger/office/dashboard.html", context)


_BODIES: dict[tuple[Any, ...], str] = {}
_BODIES_KEPT = 32


def _body_context(data: dict[str, Any], filters: ProblemFilters) -> dict[str, Any]:
    """What the figures' part of the page shows: drill-down links, cells, charts."""
    by_channel = filters.list_url_for("channel")
    by_category = filters.list_url_for("category")
    by_department = filters.list_url_for("department")
    overdue_by_department = filters.list_url_for("department", overdue=True)
    by_campaign = filters.list_url_for("campaign")
    for row in data["channels"]:
        row["url"] = by_channel(row["channel"])
    for row in data["categories"]:
        row["url"] = by_category(row["category"])
    for row in data["departments"]:
        row["url"] = by_department(row["public_id"])
        row["overdue_url"] = overdue_by_department(row["public_id"])
    for row in data["campaigns"]:
        row["url"] = by_campaign(row["public_id"])
        row["campaign_url"] = reverse("ledger:campaign", args=[row["public_id"]])
    for key in ("channels", "categories", "departments", "campaigns"):
        for row in data[key]:
            row["cells"] = figure_cells(row)
    return {
        "chart": chart_data(data),
        "figure_heads": figure_heads(),
        "department_rows": department_rows(data["departments"]),
        "links": {
            "registered": filters.list_url(),
            "open": filters.list_url(status="open"),
            "overdue": filters.list_url(overdue=True),
            "rectified": filters.list_url(status="rectified"),
            "closed": filters.list_url(status=ProblemStatus.CLOSED),
            "flagged": filters.list_url(flagged=True),
            "reopened": filters.list_url(reopened=True),
        },
    }


@require_GET
@login_required
@require_commission
def dashboard_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    _form, filters = dashboard_filters(request)
    data = dashboard_figures(request.user, filters.query()).data
    workbook = export.dashboard_workbook(data, scope_note=scope_note(filters))
    return xlsx_response(workbook, f"ledger-dashboard-{timezone.localdate().isoformat()}.xlsx")


def scope_note(filters: ProblemFilters) -> str:
    """The period and area in words, for the export's first sheet."""
    from qinqing.accounts.models import Organisation

    parts = []
    if filters.area == CITY_LEVEL:
        parts.append(_("City departments"))
    elif filters.area:
        parts.append(
            Organisation.objects.filter(public_id=filters.area).values_list("name", flat=True).first() or ""
        )
    else:
        parts.append(_("All in my reach"))
    if filters.date_from or filters.date_to:
        parts.append(
            _("registered %(start)s to %(end)s")
            % {
                "start": filters.date_from.isoformat() if filters.date_from else "…",
                "end": filters.date_to.isoformat() if filters.date_to else "…",
            }
        )
    return "，".join(p for p in parts if p)

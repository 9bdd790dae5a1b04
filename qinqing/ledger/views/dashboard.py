"""The commission's dashboard: live figures of the problems a supervisor reads, in
total, per channel, per category, per department (ranked) and per campaign, for a
period and a district or county, with drill-down links to the problem list.

Every figure is one aggregate in the database: five queries whatever the number of
problems (`figures`), the same definitions as the Excel export (`export.py`).

- closure rate: closed problems out of those that stayed on the ledger (withdrawn,
  referred and merged ones left it);
- on-time rate: problems rectified on or before their due date, out of the rectified
  ones with a due date and the open ones already past it (an overdue problem counts
  against the rate before it is fixed, not only once it is).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.accounts.models import OrganisationKind
from qinqing.common.xlsx import xlsx_response

from .. import selectors
from ..forms_office import DashboardFilterForm
from ..models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    RECTIFIED_STATUSES,
    Category,
    Channel,
    Problem,
    ProblemStatus,
)
from .office import CITY_LEVEL, ProblemFilters, districts_for, render_office, require_commission

FIGURES = (
    "registered",
    "open",
    "overdue",
    "rectified",
    "closed",
    "flagged",
    "reopened",
)


def aggregates(today: dt.date) -> dict[str, Any]:
    """The dashboard's figures as aggregates over a queryset of problems."""
    open_q = Q(status__in=OPEN_STATUSES)
    overdue_q = open_q & Q(due_date__lt=today)
    timed_fix_q = Q(status__in=RECTIFIED_STATUSES, rectified_on__isnull=False, due_date__isnull=False)
    return {
        "registered": Count("pk"),
        "open": Count("pk", filter=open_q),
        "overdue": Count("pk", filter=overdue_q),
        "rectified": Count("pk", filter=Q(status__in=RECTIFIED_STATUSES)),
        "closed": Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
        "kept": Count("pk", filter=~Q(status__in=FINAL_STATUSES)),
        "on_time": Count("pk", filter=timed_fix_q & Q(rectified_on__lte=F("due_date"))),
        "timed": Count("pk", filter=timed_fix_q | overdue_q),
        "satisfaction": Avg("satisfaction"),
        "flagged": Count("pk", filter=Q(withdrawal_flagged=True)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
    }


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["closure_rate"] = _rate(row["closed"], row["kept"])
    row["on_time_rate"] = _rate(row["on_time"], row["timed"])
    row["closure_percent"] = percent(row["closure_rate"])
    row["on_time_percent"] = percent(row["on_time_rate"])
    score = row["satisfaction"]
    row["satisfaction"] = None if score is None else round(float(score), 2)
    return row


def _grouped(problems: QuerySet[Problem], today: dt.date, *keys: str) -> list[dict[str, Any]]:
    # order_by() drops the model's ordering, which would split the groups.
    rows = problems.order_by().values(*keys).annotate(**aggregates(today))
    return [with_rates(dict(row)) for row in rows]


def _ranking_key(row: dict[str, Any]) -> tuple[Any, ...]:
    def desc(value: float | None) -> float:
        return -value if value is not None else 1.0

    return (
        desc(row["closure_rate"]),
        desc(row["on_time_rate"]),
        desc(row["satisfaction"]),
        -row["registered"],
        row["name"],
    )


def figures(problems: QuerySet[Problem], today: dt.date) -> dict[str, Any]:
    """Totals, per channel, per category, per department (ranked) and per campaign."""
    base = problems.order_by()
    totals = with_rates(dict(base.aggregate(**aggregates(today))))
    channel_labels = dict(Channel.choices)
    channels = sorted(
        _grouped(base, today, "channel"), key=lambda r: list(Channel.values).index(r["channel"])
    )
    for row in channels:
        row["name"] = str(channel_labels.get(row["channel"], row["channel"]))
    category_labels = dict(Category.choices)
    categories = sorted(
        _grouped(base, today, "category"), key=lambda r: list(Category.values).index(r["category"])
    )
    for row in categories:
        row["name"] = str(category_labels.get(row["category"], row["category"]))
    departments = _grouped(
        base.filter(organisation__kind=OrganisationKind.DEPARTMENT),
        today,
        "organisation__public_id",
        "organisation__name",
    )
    for row in departments:
        row["name"] = row.pop("organisation__name")
        row["public_id"] = str(row.pop("organisation__public_id"))
    departments.sort(key=_ranking_key)
    for rank, row in enumerate(departments, start=1):
        row["rank"] = rank
    campaigns = _grouped(
        base.filter(campaign__isnull=False),
        today,
        "campaign__public_id",
        "campaign__title",
        "campaign__channel",
        "campaign__starts_on",
    )
    for row in campaigns:
        row["name"] = row.pop("campaign__title")
        row["public_id"] = str(row.pop("campaign__public_id"))
        row["channel_name"] = str(channel_labels.get(row["campaign__channel"], ""))
    campaigns.sort(key=lambda r: (r["campaign__starts_on"], r["name"]), reverse=True)
    return {
        "totals": totals,
        "channels": channels,
        "categories": categories,
        "departments": departments,
        "campaigns": campaigns,
    }


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


def visible_problems(request: HttpRequest, filters: ProblemFilters) -> QuerySet[Problem]:
    return filters.narrow(selectors.problems_for(request.user))


def chart_data(data: dict[str, Any], filters: ProblemFilters) -> dict[str, Any]:
    """What dashboard.js draws, with each bar's or slice's drill-down link."""
    channels, categories = data["channels"], data["categories"]
    departments, campaigns = data["departments"][:20], data["campaigns"][:20]
    return {
        "channels": {
            "names": [r["name"] for r in channels],
            "urls": [filters.list_url(channel=r["channel"]) for r in channels],
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
        "categories": [
            {"name": r["name"], "value": r["registered"], "url": filters.list_url(category=r["category"])}
            for r in categories
        ],
        "departments": {
            "names": [r["name"] for r in departments],
            "urls": [filters.list_url(department=r["public_id"]) for r in departments],
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
            "urls": [filters.list_url(campaign=r["public_id"]) for r in campaigns],
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
    data = figures(visible_problems(request, filters), today)
    for row in data["channels"]:
        row["url"] = filters.list_url(channel=row["channel"])
    for row in data["categories"]:
        row["url"] = filters.list_url(category=row["category"])
    for row in data["departments"]:
        row["url"] = filters.list_url(department=row["public_id"])
        row["overdue_url"] = filters.list_url(department=row["public_id"], overdue=True)
    for row in data["campaigns"]:
        row["url"] = filters.list_url(campaign=row["public_id"])
        row["campaign_url"] = reverse("ledger:campaign", args=[row["public_id"]])
    export = reverse("ledger:dashboard_export")
    query = filters.query()
    links = {
        "registered": filters.list_url(),
        "open": filters.list_url(status="open"),
        "overdue": filters.list_url(overdue=True),
        "rectified": filters.list_url(status="rectified"),
        "closed": filters.list_url(status=ProblemStatus.CLOSED),
        "flagged": filters.list_url(flagged=True),
        "reopened": filters.list_url(reopened=True),
    }
    return render_office(
        request,
        "ledger/office/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "totals": data["totals"],
            "channels": data["channels"],
            "categories": data["categories"],
            "departments": data["departments"],
            "campaigns": data["campaigns"],
            "chart": chart_data(data, filters),
            "links": links,
            "export_url": f"{export}?{query}" if query else export,
            "city_level": CITY_LEVEL,
            "today": today,
        },
    )


@require_GET
@login_required
@require_commission
def dashboard_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    _form, filters = dashboard_filters(request)
    data = figures(visible_problems(request, filters), timezone.localdate())
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

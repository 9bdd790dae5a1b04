"""The commission's and the departments' office: what the pages share (who may read
them, the office's tabs, links to pages others build, service refusals put on forms),
and the filterable list of visible problems with its filters and its export.

The subjects have their own modules: `dashboard` (the live figures), `campaigns`,
`walks`, `points` (monitoring points and observers) and `outcomes` (rules established).
Every read goes through `qinqing.ledger.selectors`; anything out of reach is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Organisation, OrganisationKind, Role
from qinqing.accounts.pickers import option_groups, organisation_choices
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import ApplicationError, NotFound, PermissionDenied
from qinqing.common.xlsx import xlsx_response

from .. import selectors
from ..filters import CITY_LEVEL, ProblemFilters
from ..models import (
    OPEN_STATUSES,
    Campaign,
    Category,
    Channel,
    Institutional,
    Problem,
    ProblemStatus,
    Severity,
)
from ..services.common import _supervisor_nodes
from .rows import problem_url

PAGE_SIZE = 50

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def require_roles(*roles: str) -> Callable[[View], View]:
    """Allow a view (a page or a download) only to holders of one of `roles`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not scope_for(request.user).has_role(*roles):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


# The commission's own pages (dashboard, monitoring points, observers, new campaigns).
require_commission = require_roles(Role.SUPERVISOR)
# Pages the departments share with the commission (problems, campaigns, walk-throughs,
# rules established): each row is still scoped by the selectors.
require_office = require_roles(Role.SUPERVISOR, Role.OFFICER, Role.DEPARTMENT_HEAD)


def optional_url(name: str, *args: Any) -> str:
    """A link to a page another engineer builds, or "" while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def point_report_url(token: str) -> str:
    """A monitoring point's public report page (the loop's), by its token."""
    return reverse("ledger:point_report", args=[token])


def office_nav(request: HttpRequest) -> list[dict[str, Any]]:
    """The office's tabs: the commission's own pages only for supervisors."""
    scope = scope_for(request.user)
    items = [
        ("ledger:dashboard", _("Dashboard"), scope.is_supervisor),
        ("ledger:problems", _("Problems"), True),
        ("ledger:campaigns", _("Campaigns"), True),
        ("ledger:walks", _("Walk-throughs"), True),
        ("ledger:points", _("Monitoring points"), scope.is_supervisor),
        ("ledger:observers", _("Observers"), scope.is_supervisor),
        ("ledger:outcomes", _("Rules established"), True),
        ("ledger:reports", _("Reports"), scope.is_supervisor),
    ]
    current = request.path
    out = []
    for name, label, shown in items:
        url = optional_url(name) if shown else ""
        if not url:
            continue
        out.append({"url": url, "label": label, "active": current.startswith(url)})
    return out


def render_office(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, {**context, "office_nav": office_nav(request)}, status=status)


def render_results(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or (an htmx request from the filters) only its results."""
    if request.headers.get("HX-Request") == "true":
        response = render(request, f"{template}#results", context)
    else:
        response = render_office(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def raise_refusal(exc: ApplicationError) -> None:
    """A refusal that is no fault of the input: the 403 and 404 pages."""
    if isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(str(exc.message)) from exc
    if isinstance(exc, NotFound):
        raise Http404 from exc


def apply_errors(
    form: forms.Form,
    exc: ApplicationError,
    rows: list[tuple[int, forms.Form]] | None = None,
    prefix: str = "",
) -> None:
    """Each fault of `exc` under the field it concerns, the rest above the form.

    With `rows` (a formset's filled rows as `(index in the formset, form)`, in the order
    they were given to the service), a "<prefix>.<n>.<field>" fault goes on the n-th
    row's field."""
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for key, messages in exc.fields.items():
        parts = key.split(".")
        if rows is not None and parts[0] == prefix and len(parts) == 3 and parts[1].isdigit():
            n = int(parts[1])
            if n < len(rows):
                row = rows[n][1]
                for message in messages:
                    row.add_error(parts[2] if parts[2] in row.fields else None, str(message))
                continue
        name: str | None = parts[0] if parts[0] in form.fields else None
        for message in messages:
            form.add_error(name, str(message))


def commission_nodes(user: Any) -> list[Organisation]:
    """The commissions and groups a supervisor may act for (organise a campaign, appoint
    a monitoring point or an observer): those inside their reach or at or under the node
    where they hold the role."""
    scope = scope_for(user)
    condition = subtree_q("path", scope.paths_for(Role.SUPERVISOR)) | subtree_q(
        "path", _supervisor_nodes(user)
    )
    return list(
        Organisation.objects.filter(
            condition, kind__in=[OrganisationKind.COMMISSION, OrganisationKind.SUPERVISION_GROUP]
        ).order_by("path")
    )


def departments_for(user: Any) -> list[Any]:
    """The departments inside a reader's reach, for the problem list's filter: grouped
    under the city, each district or county and each committee (`accounts.pickers`)."""
    paths = scope_for(user).read_paths
    if not paths:
        return []
    return organisation_choices(
        Organisation.objects.filter(
            subtree_q("path", paths), kind=OrganisationKind.DEPARTMENT
        ).select_related("parent")
    )


def status_choices() -> list[tuple[str, Any]]:
    return [("open", _("Open (being worked on)")), ("rectified", _("Rectified")), *ProblemStatus.choices]


# --- The problem list ---------------------------------------------------------------------------


def overdue_days(problem: Problem, today: dt.date) -> int:
    if problem.status in OPEN_STATUSES and problem.due_date is not None and problem.due_date < today:
        return (today - problem.due_date).days
    return 0


@require_GET
@login_required
@require_office
def problems(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = ProblemFilters.from_query(request.GET)
    listed = filters.apply(request.user).order_by("-registered_at", "-id")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"problem": p, "url": problem_url(p.public_id), "overdue_days": overdue_days(p, today)}
        for p in page.object_list
    ]
    query = filters.query()
    export = reverse("ledger:problems_export")
    campaigns = (
        selectors.campaigns_for(request.user)
        .order_by("-starts_on", "id")
        .values_list("public_id", "title")[:200]
    )
    departments = option_groups(departments_for(request.user))
    return render_results(
        request,
        "ledger/office/problems.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "query": query,
            "export_url": f"{export}?{query}" if query else export,
            "statuses": status_choices(),
            "channels": Channel.choices,
            "categories": Category.choices,
            "severities": Severity.choices,
            "institutionals": [c for c in Institutional.choices if c[0]],
            "campaigns": [(str(pk), title) for pk, title in campaigns],
            "districts": selectors.districts_for(request.user),
            "departments": departments,
            "department_count": sum(len(options) for _group, options in departments),
            "city_level": CITY_LEVEL,
            "filter_names": _filter_names(request.user, filters),
            "today": today,
        },
    )


def _filter_names(user: Any, filters: ProblemFilters) -> dict[str, str]:
    """Names of the records a drill-down link filters by (shown above the results)."""
    names: dict[str, str] = {}
    if filters.department:
        names["department"] = (
            Organisation.objects.filter(public_id=filters.department).values_list("name", flat=True).first()
            or ""
        )
    if filters.walk:
        walk = (
            selectors.walkthroughs_for(user)
            .filter(public_id=filters.walk)
            .values_list("process_name", flat=True)
            .first()
        )
        names["walk"] = walk or ""
    if filters.campaign:
        names["campaign"] = (
            Campaign.objects.filter(public_id=filters.campaign).values_list("title", flat=True).first() or ""
        )
    return names


@require_GET
@login_required
@require_office
def problems_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    filters = ProblemFilters.from_query(request.GET)
    listed = (
        filters.apply(request.user)
        .select_related(
            "organisation", "supervising_group", "reporter_enterprise", "campaign", "duplicate_of"
        )
        .order_by("-registered_at", "-id")
    )
    workbook = export.problems_workbook(listed, today=timezone.localdate())
    return xlsx_response(workbook, f"problems-{timezone.localdate().isoformat()}.xlsx")

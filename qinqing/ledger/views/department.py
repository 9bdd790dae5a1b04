"""The department's queue: its open problems, the nearest deadline first, coloured near
(two working days or less) and over; and its Excel export."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.permissions import require_roles

from .. import selectors
from .loop import PAGE_SIZE, export_problems, htmx_vary, is_htmx, near_until, problem_url, tone

require_department = require_roles(Role.OFFICER, Role.DEPARTMENT_HEAD)


# The queue's filters: everything, overdue only, due within two working days.
SHOW = ("", "over", "near")


@require_GET
@login_required
@require_department
def queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    near = near_until(today)
    show = request.GET.get("show", "")
    show = show if show in SHOW else ""
    listed = selectors.department_queue(request.user)
    if show == "over":
        listed = listed.filter(due_date__lt=today)
    elif show == "near":
        listed = listed.filter(due_date__gte=today, due_date__lte=near)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for problem in page.object_list:
        colour = tone(problem, today, near)
        over = (today - problem.due_date).days if colour == "over" and problem.due_date else 0
        rows.append({"problem": problem, "tone": colour, "over_days": over, "url": problem_url(problem)})
    departments = {row["problem"].organisation_id for row in rows}
    context = {
        "rows": rows,
        "page": page,
        "today": today,
        "show": show,
        "query": urlencode({"show": show}) if show else "",
        "many_departments": len(departments) > 1,
    }
    # The filter links ask htmx for the results only.
    template = "ledger/loop/queue.html#results" if is_htmx(request) else "ledger/loop/queue.html"
    response = render(request, template, context)
    htmx_vary(response)
    return response


@require_GET
@login_required
def queue_export(request: HttpRequest) -> HttpResponseBase:
    if not scope_for(request.user).has_role(Role.OFFICER, Role.DEPARTMENT_HEAD):
        raise PermissionDenied
    return export_problems(
        request.user,
        selectors.department_queue(request.user),
        sheet=_("Problems to fix"),
        title=_("Problems to fix"),
        filename="problems-to-fix",
    )

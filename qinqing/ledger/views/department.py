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

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.permissions import require_roles

from .. import selectors
from ..filters import near_until, shown_in_queue
from .loop import PAGE_SIZE, export_problems, htmx_vary, is_htmx
from .rows import problem_row, problem_url_maker, rows_html

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
    listed = shown_in_queue(selectors.department_queue(request.user), show, today)
    # Tuples, not models, and no join: the page lists fifty rows on every view, and the
    # paginator's count then reads the queue's partial index alone (docs/benchmarks.md).
    values = listed.values_list("public_id", "title", "reference", "status", "due_date", "organisation_id")
    page = Paginator(values, PAGE_SIZE).get_page(request.GET.get("page"))
    departments = {values[5] for values in page.object_list}
    # A department with units names the unit on each row.
    names = (
        dict(Organisation.objects.filter(pk__in=departments).values_list("id", "name"))
        if len(departments) > 1
        else {}
    )
    url_for = problem_url_maker()
    rows = [
        problem_row(
            public_id=public_id,
            title=title,
            reference=reference,
            status=status,
            due_date=due_date,
            today=today,
            near=near,
            department=names.get(organisation_id, ""),
            url=url_for(public_id),
        )
        for public_id, title, reference, status, due_date, organisation_id in page.object_list
    ]
    context = {
        "rows": rows,
        "rows_html": rows_html(rows),
        "page": page,
        "today": today,
        "show": show,
        "query": urlencode({"show": show}) if show else "",
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
    show = request.GET.get("show", "")
    listed = shown_in_queue(selectors.department_queue(request.user), show, timezone.localdate())
    return export_problems(
        request.user,
        listed,
        sheet=_("Problems to fix"),
        title=_("Problems to fix"),
        filename="problems-to-fix",
    )

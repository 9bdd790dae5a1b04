"""The objections (异议) the department has to decide: open ones by deadline, coloured
near and over, with who answers for each; decided ones on request; to Excel. Officers
and heads of the issuing department decide them on the case's page; supervisors read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinqing.policies.ladders import OBJECTION_DEADLINE_KIND
from qinqing.policies.models import Objection, ObjectionStatus
from qinqing.policies.selectors import objections_visible
from qinqing.workdays.calendar import current_calendar

from .officer_cases import (
    PAGE_SIZE,
    ROW_CLASSES,
    deadline_state,
    due_text,
    require_case_readers,
    warning_rung,
)
from .officer_export import MAX_ROWS, objections_workbook, xlsx_response


def _listed(request: HttpRequest) -> tuple[str, bool, QuerySet[Objection]]:
    """The filters asked for (a status or "all", only mine) and the objections they keep."""
    status = request.GET.get("status", ObjectionStatus.OPEN)
    status = status if status in ObjectionStatus.values or status == "all" else ObjectionStatus.OPEN
    mine = request.GET.get("mine") == "1"
    return status, mine, objections_visible(request.user, status="" if status == "all" else status, mine=mine)


def _rows(objections: Any) -> list[tuple[Objection, int | None, str]]:
    """Each objection with its working days left and urgency (none once decided)."""
    today = timezone.localdate()
    calendar = current_calendar()
    warning = warning_rung(OBJECTION_DEADLINE_KIND)
    rows = []
    for objection in objections:
        if objection.status == ObjectionStatus.OPEN and objection.due_date is not None:
            days_left, urgent = deadline_state(objection.due_date, today, calendar, warning)
        else:
            days_left, urgent = None, ""
        rows.append((objection, days_left, urgent))
    return rows


@require_GET
@login_required
@require_case_readers
def objection_list(request: HttpRequest) -> HttpResponse:
    status, mine, qs = _listed(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "objection": objection,
            "due_text": due_text(urgent, days_left) if urgent or days_left is not None else "",
            "row_class": ROW_CLASSES.get(urgent, ""),
        }
        for objection, days_left, urgent in _rows(page.object_list)
    ]
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return render(
        request,
        "policies/officer/objections.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "mine": mine,
            "statuses": ObjectionStatus.choices,
            "query": encoded,
            "export_url": reverse("policies:officer_objections_export") + (f"?{encoded}" if encoded else ""),
        },
    )


@require_GET
@login_required
@require_case_readers
def objection_export(request: HttpRequest) -> HttpResponse:
    _status, _mine, qs = _listed(request)
    return xlsx_response(
        objections_workbook(_rows(qs[:MAX_ROWS])), f"objections-{timezone.localdate().isoformat()}.xlsx"
    )

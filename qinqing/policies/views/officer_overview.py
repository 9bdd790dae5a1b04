"""The department head's overview (部门总览): budgets and cases per policy, open steps per
approval step, each official's load and pace, and time to cash, for the departments in
reach (`qinqing.policies.overview` computes the figures). Supervisors read it for their
reach; officers and enterprises are refused. One workbook holds the same tables.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common import xlsx
from qinqing.common.errors import NotFound
from qinqing.common.permissions import require_roles
from qinqing.policies.models import CaseStatus
from qinqing.policies.overview import HANDLED_DAYS, READER_ROLES, Overview, department_overview
from qinqing.supervision.policy_cases import CashFigures

from .officer_cases import render_results

require_overview_readers = require_roles(*READER_ROLES)


def department_id_param(raw: str) -> int | None:
    """The `department` filter: blank for every department in reach; anything but a
    department id there is a 404 (never a wider view)."""
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404 from exc


def _overview(request: HttpRequest) -> Overview:
    try:
        return department_overview(
            request.user, department_id=department_id_param(request.GET.get("department", ""))
        )
    except NotFound as exc:
        raise Http404 from exc


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _policy_rows(overview: Overview, *, official: bool) -> list[dict[str, Any]]:
    """Each policy's figures with the links behind them: the policy's page (officials
    only: supervisors have none), its cases per status, its late steps."""
    rows = []
    for row in overview.policies:
        policy = row.policy
        assert policy is not None
        pid = str(policy.public_id)
        rows.append(
            {
                "figures": row,
                "policy_url": reverse("policies:officer_policy", args=[policy.public_id]) if official else "",
                "cases_url": _url("policies:officer_cases", policy=pid),
                "statuses": [
                    (status, n, _url("policies:officer_cases", policy=pid, status=status))
                    for status, n in row.case_counts
                ],
                "open_url": _url("policies:officer_cases", policy=pid, status=CaseStatus.IN_REVIEW),
                "late_url": _url("supervision:policy_overdue", department=policy.department_id, overdue="on"),
                "soon_url": _url("supervision:policy_overdue", department=policy.department_id),
            }
        )
    return rows


def _context(request: HttpRequest, overview: Overview) -> dict[str, Any]:
    official = scope_for(request.user).has_role(Role.OFFICER, Role.DEPARTMENT_HEAD)
    department = overview.department.pk if overview.department else None
    query = urlencode({"department": department}) if department else ""
    return {
        "overview": overview,
        "official": official,
        "statuses": CaseStatus.choices,
        "policy_rows": _policy_rows(overview, official=official),
        "step_rows": [
            {"figures": s, "queue_url": _url("policies:officer_queue", step=s.key) if official else ""}
            for s in overview.steps
        ],
        "cash_rows": [replace(f, url=_paid_cases_url(overview, f)) for f in overview.cash_by_policy],
        "cash_url": _url(
            "supervision:policy_cash",
            since=overview.cash_since.isoformat(),
            until=overview.cash_until.isoformat(),
        ),
        "late_url": _url("supervision:policy_overdue", department=department, overdue="on"),
        "queue_url": reverse("policies:officer_queue") if official else "",
        "handled_days": HANDLED_DAYS,
        "export_url": reverse("policies:officer_overview_export") + (f"?{query}" if query else ""),
    }


def _paid_cases_url(overview: Overview, figures: CashFigures) -> str:
    public_id = overview.cash_policy_ids.get(figures.key) if figures.key is not None else None
    if public_id is None:
        return ""
    return _url("policies:officer_cases", policy=str(public_id), status=CaseStatus.PAID)


@require_GET
@login_required
@require_overview_readers
def overview(request: HttpRequest) -> HttpResponse:
    figures = _overview(request)
    return render_results(request, "policies/officer/overview.html", _context(request, figures))


@require_GET
@login_required
@require_overview_readers
def overview_export(request: HttpRequest) -> HttpResponse:
    figures = _overview(request)
    return xlsx.xlsx_response(overview_workbook(figures), f"overview-{figures.today.isoformat()}.xlsx")


# --- The workbook ----------------------------------------------------------------------------


def overview_workbook(overview: Overview) -> bytes:
    """One sheet per table of the page, with the same figures (money in yuan, two places)."""
    book = xlsx.ExcelBook(created_at=timezone.now())
    scope = overview.department.name if overview.department else _("All departments in reach")
    title = _("Department overview: %(scope)s") % {"scope": scope}
    _budgets_sheet(book, overview, title)
    _cases_sheet(book, overview, title)
    _steps_sheet(book, overview, title)
    _officials_sheet(book, overview, title)
    _cash_sheet(book, overview, title)
    return book.close_bytes()


def _budgets_sheet(book: xlsx.ExcelBook, overview: Overview, title: str) -> None:
    sheet = book.sheet(
        _("Budgets"),
        [
            (_("Code"), 16),
            (_("Policy"), 30),
            (_("Department"), 20),
            (_("Status"), 10),
            (_("Total budget (yuan)"), 16),
            (_("Reserved (yuan)"), 16),
            (_("Paid (yuan)"), 16),
            (_("Being paid (yuan)"), 16),
            (_("Remaining (yuan)"), 16),
        ],
        title=title,
    )
    for row in [*overview.policies, overview.total]:
        policy = row.policy
        sheet.add(
            [
                *_policy_cells(policy),
                policy.get_status_display() if policy else "",
                row.budget_total,
                row.reserved,
                row.paid,
                row.paying,
                row.remaining,
            ]
        )


def _cases_sheet(book: xlsx.ExcelBook, overview: Overview, title: str) -> None:
    sheet = book.sheet(
        _("Cases"),
        [
            (_("Code"), 16),
            (_("Policy"), 30),
            (_("Department"), 20),
            (_("All cases"), 10),
            *[(str(label), 10) for _value, label in CaseStatus.choices],
            (_("Open steps"), 10),
            (_("Overdue"), 10),
            (_("Due soon"), 10),
        ],
        title=title,
    )
    for row in [*overview.policies, overview.total]:
        sheet.add(
            [
                *_policy_cells(row.policy),
                row.cases_total,
                *[n for _status, n in row.case_counts],
                row.steps.open_steps,
                row.steps.overdue,
                row.steps.due_soon,
            ]
        )


def _policy_cells(policy: Any) -> list[str]:
    if policy is None:
        return [_("All"), "", ""]
    return [policy.code, policy.title, policy.department.name]


def _steps_sheet(book: xlsx.ExcelBook, overview: Overview, title: str) -> None:
    sheet = book.sheet(
        _("Approval steps"),
        [
            (_("Step"), 16),
            (_("Step key"), 12),
            (_("Open steps"), 10),
            (_("Overdue"), 10),
            (_("Due soon"), 10),
        ],
        title=title,
    )
    for step in overview.steps:
        sheet.add([step.label, step.key, step.steps.open_steps, step.steps.overdue, step.steps.due_soon])


def _officials_sheet(book: xlsx.ExcelBook, overview: Overview, title: str) -> None:
    sheet = book.sheet(
        _("Officials"),
        [
            (_("Official"), 16),
            (_("Role"), 16),
            (_("Open steps"), 10),
            (_("Assigned to them"), 10),
            (_("Overdue"), 10),
            (_("Steps completed in %(days)s days") % {"days": HANDLED_DAYS}, 12),
            (_("Median handling time (hours)"), 14),
        ],
        title=title,
    )
    for person in overview.officials:
        sheet.add(
            [
                str(person.user),
                person.role_labels,
                person.open_steps,
                person.assigned,
                person.overdue,
                person.completed,
                person.median_hours,
            ]
        )


def _cash_sheet(book: xlsx.ExcelBook, overview: Overview, title: str) -> None:
    period = _("cases paid from %(since)s to %(until)s") % {
        "since": overview.cash_since.isoformat(),
        "until": overview.cash_until.isoformat(),
    }
    sheet = book.sheet(
        _("Time to cash"),
        [
            (_("Policy"), 30),
            (_("Department"), 20),
            (_("Paid cases"), 10),
            (_("Median (days)"), 12),
            (_("90th percentile (days)"), 12),
            (_("Paid within 1 day"), 12),
        ],
        title=f"{title} — {period}",
    )
    figures: list[CashFigures] = [*overview.cash_by_policy, overview.cash_total]
    for f in figures:
        sheet.add([f.label, f.department, f.count, f.median_days, f.p90_days, f.within_day])

"""What the loop's pages share: loading a problem (404 when out of reach), which actions a
person may take on it now, the deadline's colour, and the Excel exports of the lists.

The pages themselves: `reporter` (my problems, report on a phone, a monitoring point's
page, following by receipt code), `department` (the queue by deadline), `group` (what
waits for a supervisor), `problem` (one problem, its story, its evidence and the action
panel, and one view per action).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound, PermissionDenied
from qinqing.common.xlsx import ExcelBook, xlsx_response

from .. import selectors
from ..models import DEPARTMENT_STATUSES, FINAL_STATUSES, Problem, ProblemStatus, subcategory_label
from ..services.common import (
    is_co_department_for,
    is_department_for,
    is_dispatcher,
    is_reporter,
    is_supervising,
    judges_as_reporter,
)
from .rows import tone_of

# A deadline this many working days away or nearer is shown as near.
PAGE_SIZE = 50

# Statuses from which the dispatcher may still send a problem elsewhere.
DISPATCHABLE = frozenset({ProblemStatus.REGISTERED, ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING})


def load_problem(user: Any, public_id: Any) -> Problem:
    try:
        return selectors.access_problem_by_id(user, public_id)
    except NotFound as exc:
        raise Http404 from exc


def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """The 403 page, saying why (the service's reason)."""
    return render(request, "error.html", {"status": 403, "message": str(exc.message)}, status=403)


def is_official(user: Any) -> bool:
    """Officials read the whole story (internal notes too); reporters its public part."""
    scope = scope_for(user)
    return scope.is_government or scope.is_supervisor


def sees_reporter(user: Any, problem: Problem) -> bool:
    """Who may see who reported a problem whose reporter asked to be hidden from the
    department: the reporter, and supervisors (the group that verifies, the commission)."""
    if not problem.hide_reporter:
        return True
    return is_reporter(user, problem) or scope_for(user).is_supervisor


@dataclass(frozen=True)
class Roles:
    """How `user` stands to one problem."""

    department: bool
    co_department: bool
    supervising: bool
    dispatcher: bool
    reporter: bool
    # Who: the assign form offers the departments within the dispatcher's own reach.
    user: Any = field(default=None, compare=False)


def roles_on(user: Any, problem: Problem) -> Roles:
    return Roles(
        user=user,
        department=is_department_for(user, problem),
        co_department=is_co_department_for(user, problem),
        supervising=is_supervising(user, problem),
        dispatcher=is_dispatcher(user, problem),
        # The reporter as judge of the work (not when of the department answering for it).
        reporter=judges_as_reporter(user, problem),
    )


def allowed_actions(user: Any, problem: Problem, roles: Roles | None = None) -> frozenset[str]:
    """The actions `user` may take on `problem` now: the services' own rules, asked
    before showing a form so that the panel never offers what would be refused."""
    r = roles or roles_on(user, problem)
    s = problem.status
    out: set[str] = set()
    if r.dispatcher and s in DISPATCHABLE:
        out |= {"assign", "merge", "refer"}
    if r.dispatcher and s not in FINAL_STATUSES:
        out.add("classify")
    if (r.department or r.co_department) and s in DEPARTMENT_STATUSES:
        out.add("progress")
    if r.department and s in DEPARTMENT_STATUSES:
        out |= {"submit", "request_withdrawal"}
    if r.supervising and s == ProblemStatus.SUBMITTED:
        out |= {"verify", "send_back"}
    if (r.reporter or r.supervising) and s == ProblemStatus.VERIFIED:
        out.add("return_visit")
    if (r.reporter or r.supervising) and s == ProblemStatus.WITHDRAWAL_REQUESTED:
        out.add("check_withdrawal")
    if s == ProblemStatus.CLOSED and (
        r.supervising
        or (r.reporter and problem.reopen_until is not None and timezone.localdate() <= problem.reopen_until)
    ):
        out.add("reopen")
    if r.reporter and s in DISPATCHABLE:
        out.add("withdraw")
    if r.department or r.co_department or r.dispatcher:
        out.add("note")
    return frozenset(out)


# --- The deadline's colour -------------------------------------------------------------------


def tone(problem: Problem, today: dt.date, near: dt.date) -> str:
    """ "over" past the due date, "near" within two working days of it, else "" (and
    nothing once the department's clock stopped for good)."""
    return tone_of(problem.status, problem.due_date, today, near)


def htmx_vary(response: HttpResponseBase) -> HttpResponseBase:
    patch_vary_headers(response, ["HX-Request"])
    return response


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Excel -----------------------------------------------------------------------------------


def _columns(*, department: bool, reporter: bool) -> list[tuple[str, int]]:
    columns = [
        (_("Reference"), 16),
        (_("Problem"), 40),
        (_("Status"), 18),
        (_("Category"), 22),
        (_("Sub-type"), 16),
        (_("Severity"), 10),
    ]
    if department:
        columns.append((_("Responsible department"), 24))
    if reporter:
        columns.append((_("Enterprise concerned"), 28))
    columns += [
        (_("Registered at"), 18),
        (_("Due date"), 12),
        (_("Days overdue"), 10),
        (_("Closed at"), 18),
        (_("Satisfaction"), 10),
    ]
    return columns


def _row(problem: Problem, today: dt.date, *, department: bool, reporter: bool, user: Any) -> list[Any]:
    overdue = (
        (today - problem.due_date).days
        if problem.due_date and tone(problem, today, today) == "over"
        else None
    )
    row: list[Any] = [
        problem.reference,
        problem.title,
        problem.get_status_display(),
        problem.get_category_display(),
        subcategory_label(problem.category, problem.subcategory) if problem.subcategory else "",
        problem.get_severity_display(),
    ]
    if department:
        row.append(problem.organisation.name)
    if reporter:
        enterprise = problem.reporter_enterprise
        row.append(enterprise.name if enterprise is not None and sees_reporter(user, problem) else "")
    row += [problem.registered_at, problem.due_date, overdue, problem.closed_at, problem.satisfaction]
    return row


def export_problems(
    user: Any,
    problems: Iterable[Problem],
    *,
    sheet: str,
    title: str,
    filename: str,
    reporter: bool = False,
    sections: Sequence[tuple[str, Iterable[Problem]]] = (),
) -> HttpResponseBase:
    """A list of problems as one workbook (streamed from a temporary file). With
    `sections`, one sheet per section instead."""
    now = timezone.now()
    today = timezone.localdate()
    book = ExcelBook(created_at=now)
    parts = list(sections) or [(sheet, problems)]
    for name, rows in parts:
        out = book.sheet(
            name,
            _columns(department=True, reporter=reporter),
            title=f"{title} · {name}" if sections else title,
            generated_at=now,
            autofilter=True,
        )
        out.add_rows(_row(p, today, department=True, reporter=reporter, user=user) for p in rows)
    response = xlsx_response(book.close(), f"{filename}-{today.isoformat()}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response

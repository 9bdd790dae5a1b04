"""What waits for a supervisor: problems to assign at their commission, submissions to
verify or send back, withdrawals to check with the reporter, return visits still owed;
and its Excel export (one sheet per part)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinqing.accounts.scoping import scope_for
from qinqing.common.permissions import require_supervisor

from .. import selectors
from ..filters import near_until
from ..models import ProblemStatus
from .loop import export_problems, sees_reporter
from .rows import problem_url_maker, row_of, rows_html

# Each part of the page: the status it lists, its key and its heading.
PARTS = (
    (ProblemStatus.REGISTERED, "assign"),
    (ProblemStatus.SUBMITTED, "verify"),
    (ProblemStatus.WITHDRAWAL_REQUESTED, "withdrawal"),
    (ProblemStatus.VERIFIED, "visit"),
)
# Each part shows at most this many; the export has them all.
PART_LIMIT = 200


def _headings() -> dict[str, str]:
    return {
        "assign": _("To assign"),
        "verify": _("Submissions to verify or send back"),
        "withdrawal": _("Withdrawals to check with the reporter"),
        "visit": _("Return visits owed"),
    }


@require_GET
@login_required
@require_supervisor
def group(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    near = near_until(today)
    user = request.user
    headings = _headings()
    sections: list[dict[str, Any]] = []
    queue = selectors.group_queue(user)
    url_for = problem_url_maker()
    for status, key in PARTS:
        listed = list(queue.filter(status=status)[: PART_LIMIT + 1])
        rows = [
            row_of(
                p,
                today=today,
                near=near,
                enterprise=p.reporter_enterprise.name
                if p.reporter_enterprise and sees_reporter(user, p)
                else "",
                url=url_for(p.public_id),
            )
            for p in listed[:PART_LIMIT]
        ]
        sections.append(
            {
                "key": key,
                "heading": headings[key],
                "more": len(listed) > PART_LIMIT,
                "rows": rows,
                "rows_html": rows_html(rows),
            }
        )
    return render(request, "ledger/loop/group.html", {"sections": sections, "today": today})


@require_GET
@login_required
def group_export(request: HttpRequest) -> HttpResponseBase:
    if not scope_for(request.user).is_supervisor:
        raise PermissionDenied
    headings = _headings()
    queue = selectors.group_queue(request.user)
    return export_problems(
        request.user,
        [],
        sheet="",
        title=_("Problems to supervise"),
        filename="problems-to-supervise",
        reporter=True,
        sections=[(headings[key], queue.filter(status=status).iterator()) for status, key in PARTS],
    )

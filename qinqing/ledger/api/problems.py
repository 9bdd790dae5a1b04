"""Problems over JSON, read side: the filtered list, one problem with its story and
files, the department's queue (by deadline), the supervising group's queue, my own
reports, an evidence file's download, and following a problem by its receipt code
without logging in (answering its return visit, reopening it, with the same code).

Every read goes through the ledger's selectors: what is answered is what the user may
see, and a problem the user may not see is not found (never a hint that it exists)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query

from qinqing.common.downloads import stored_download
from qinqing.common.errors import NotFound
from qinqing.common.throttle import RECEIPT_LOOKUP, throttle_api

from ..filters import ProblemFilters, shown_in_queue
from ..models import OPEN_STATUSES, Problem
from ..selectors import (
    access_problem_file_by_id,
    department_queue,
    group_queue,
    problem_list,
    reported_by,
)
from ..services import problem_by_receipt, problem_reopen_by_receipt, problem_return_visit_by_receipt
from .acting import DEPARTMENT, SUPERVISING, area_in_reach, detail_for, organisation, require_role
from .out import FollowOut, PageOfProblems, ProblemDetailOut, follow_out, problem_summary
from .routing import router
from .schemas import (
    ERRORS,
    PageQuery,
    ProblemQuery,
    QueueQuery,
    ReceiptIn,
    ReceiptReopenIn,
    ReceiptVisitIn,
)

TAGS = ["ledger: problems"]


def page(qs: QuerySet[Problem], offset: int, limit: int) -> dict[str, Any]:
    today = timezone.localdate()
    items = list(qs.select_related("organisation", "supervising_group")[offset : offset + limit])
    return {"count": qs.count(), "items": [problem_summary(p, today) for p in items]}


@router.get(
    "/problems",
    tags=TAGS,
    response={200: PageOfProblems, **ERRORS},
    summary="Problems I may see, newest first (status or `open`, channel, category, severity, "
    "institutional, campaign, department, overdue, search)",
)
def list_problems(request: HttpRequest, filters: Query[ProblemQuery]) -> dict[str, Any]:
    wanted: dict[str, Any] = {
        "status": filters.status if filters.status != "rectified" else None,
        "channel": filters.channel,
        "category": filters.category,
        "severity": filters.severity,
        "institutional": filters.institutional,
        "campaign": filters.campaign,
        "overdue": filters.overdue,
        "q": filters.q.strip(),
    }
    if filters.department:
        wanted["department"] = organisation(filters.department, "department").public_id
    area = area_in_reach(request.user, filters.area)
    # What the problem list page filters on besides (the dashboard's drill-downs).
    narrowing = ProblemFilters(
        status="rectified" if filters.status == "rectified" else "",
        walk=str(filters.walk) if filters.walk else "",
        area=area,
        date_from=filters.date_from,
        date_to=filters.date_to,
        flagged=filters.flagged,
        reopened=filters.reopened,
    )
    qs = narrowing.narrow(problem_list(request.user, filters=wanted))
    if filters.overdue is False:
        today = timezone.localdate()
        qs = qs.exclude(status__in=list(OPEN_STATUSES), due_date__lt=today)
    return page(qs.order_by("-registered_at", "-id"), filters.offset, filters.limit)


@router.get(
    "/problems/{uuid:problem_id}",
    tags=TAGS,
    response={200: ProblemDetailOut, **ERRORS},
    summary="One problem: its story, files, return visits and the actions open to me",
)
def get_problem(request: HttpRequest, problem_id: uuid.UUID) -> dict[str, Any]:
    return detail_for(request, problem_id)


@router.get(
    "/queue/department",
    tags=TAGS,
    response={200: PageOfProblems, **ERRORS},
    summary="My department's open problems, the nearest deadline first (officers and heads)",
)
def my_department_queue(request: HttpRequest, filters: Query[QueueQuery]) -> dict[str, Any]:
    require_role(request, DEPARTMENT, _("This is a department's queue; log in as its officer or head."))
    listed = shown_in_queue(department_queue(request.user), filters.show, timezone.localdate())
    return page(listed, filters.offset, filters.limit)


@router.get(
    "/queue/group",
    tags=TAGS,
    response={200: PageOfProblems, **ERRORS},
    summary="What waits for the commission or my supervision group: to assign, verify, "
    "check a withdrawal, visit back",
)
def my_group_queue(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    require_role(request, SUPERVISING, _("This is a supervision group's queue; log in as its member."))
    return page(group_queue(request.user), filters.offset, filters.limit)


@router.get(
    "/mine",
    tags=TAGS,
    response={200: PageOfProblems, **ERRORS},
    summary="What I reported, and my enterprise's problems, newest first",
)
def my_reports(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    return page(reported_by(request.user), filters.offset, filters.limit)


@router.post(
    "/follow",
    tags=TAGS,
    response={200: FollowOut, **ERRORS},
    auth=None,
    summary="Follow a problem by the receipt code given when it was reported (no login)",
)
@throttle_api(RECEIPT_LOOKUP)
def follow(request: HttpRequest, payload: ReceiptIn) -> dict[str, Any]:
    problem = problem_by_receipt(payload.receipt)
    return follow_out(problem)


@router.post(
    "/follow/visit",
    tags=TAGS,
    response={200: FollowOut, **ERRORS},
    auth=None,
    summary="Answer the return visit with the receipt code (no login): really fixed? and a score",
)
@throttle_api(RECEIPT_LOOKUP)
def follow_visit(request: HttpRequest, payload: ReceiptVisitIn) -> dict[str, Any]:
    problem_return_visit_by_receipt(
        code=payload.receipt, score=payload.score, fixed=payload.fixed, comment=payload.comment
    )
    return follow_out(problem_by_receipt(payload.receipt))


@router.post(
    "/follow/reopen",
    tags=TAGS,
    response={200: FollowOut, **ERRORS},
    auth=None,
    summary="Reopen a closed problem with the receipt code (no login), within the reopening period",
)
@throttle_api(RECEIPT_LOOKUP)
def follow_reopen(request: HttpRequest, payload: ReceiptReopenIn) -> dict[str, Any]:
    return follow_out(problem_reopen_by_receipt(code=payload.receipt, reason=payload.reason))


@router.get(
    "/files/{uuid:file_id}",
    tags=TAGS,
    response={200: None, **ERRORS},
    summary="Download an evidence file (as an attachment)",
    openapi_extra={
        "responses": {"200": {"description": "The file", "content": {"application/octet-stream": {}}}}
    },
)
def download_file(request: HttpRequest, file_id: uuid.UUID) -> FileResponse:
    found = access_problem_file_by_id(request.user, file_id)
    try:
        return stored_download(
            found.storage_name, filename=found.original_name, content_type=found.content_type
        )
    except FileNotFoundError as exc:
        raise NotFound() from exc

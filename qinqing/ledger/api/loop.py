"""The loop over JSON, one endpoint per action on a problem: assign, progress (with
files), submit (with evidence), verify, send back, return visit, reopen, withdraw,
request and check a withdrawal, merge, refer, classify, note.

Each names the problem's revision it was taken on; a stale one is refused (409
`problem_changed`, with the current revision and status under `extra`). A user whose
roles can never take the action is refused (403) before the problem is looked at; one
who may not see the problem finds nothing (404); the service decides the rest. Each
answers the problem as it now stands, as the actor may see it."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.responses import Status

from qinqing.common.errors import NotFound, ValidationFailed

from .. import services
from ..selectors import access_problem_by_id
from .acting import (
    DEPARTMENT,
    SUPERVISING,
    detail_for,
    organisation,
    organisations,
    require_department_role,
    require_not_admin_only,
    require_role,
    require_supervising_role,
)
from .out import ProblemDetailOut
from .routing import router
from .schemas import (
    ERRORS,
    AssignIn,
    CheckWithdrawalIn,
    ClassifyIn,
    MergeIn,
    NoteIn,
    OptionalReasonIn,
    ProgressIn,
    ReasonIn,
    ReferIn,
    ReturnVisitIn,
    SubmitIn,
    VerifyIn,
    multipart_body,
    read_form,
)

TAGS = ["ledger: the loop"]

ANSWER = {200: ProblemDetailOut, **ERRORS}
PATH = "/problems/{uuid:problem_id}"

PROGRESS_BODY = multipart_body(
    ProgressIn,
    files_required=False,
    description="The progress report, and any PDF, PNG or JPEG files under `files` (repeatable).",
)
SUBMIT_BODY = multipart_body(
    SubmitIn,
    files_required=True,
    description="What was done, and the evidence: one or more PDF, PNG or JPEG files under `files`.",
)


@router.post(
    f"{PATH}/assign",
    tags=TAGS,
    response=ANSWER,
    summary="Assign to a department with a time limit, or reassign (the commission, the supervising group)",
)
def assign(request: HttpRequest, problem_id: uuid.UUID, payload: AssignIn) -> dict[str, Any]:
    require_supervising_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    group = (
        organisation(payload.supervising_group, "supervising_group")
        if payload.supervising_group is not None
        else None
    )
    services.problem_assign(
        actor=request.user,
        problem=problem,
        department=organisation(payload.department, "department"),
        deadline_mode=payload.deadline_mode,
        deadline_days=payload.deadline_days,
        co_departments=organisations(payload.co_departments, "co_departments"),
        supervising_group=group,
        note=payload.note,
        revision=payload.revision,
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/progress",
    tags=TAGS,
    response={201: ProblemDetailOut, **ERRORS},
    summary="Report progress, with files if any (the responsible departments); the first starts the rectification",
    openapi_extra=PROGRESS_BODY,
)
def progress(request: HttpRequest, problem_id: uuid.UUID) -> Status[dict[str, Any]]:
    require_department_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    data, files = read_form(request, ProgressIn)
    services.problem_progress(
        actor=request.user,
        problem=problem,
        text=data.text,
        files=files,
        public=data.public,
        revision=data.revision,
    )
    return Status(201, detail_for(request, problem_id, acted=True))


@router.post(
    f"{PATH}/submit",
    tags=TAGS,
    response={201: ProblemDetailOut, **ERRORS},
    summary="Submit the rectification with evidence for verification (the responsible department)",
    openapi_extra=SUBMIT_BODY,
)
def submit(request: HttpRequest, problem_id: uuid.UUID) -> Status[dict[str, Any]]:
    require_department_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    data, files = read_form(request, SubmitIn)
    services.problem_submit(
        actor=request.user, problem=problem, text=data.text, files=files, revision=data.revision
    )
    return Status(201, detail_for(request, problem_id, acted=True))


@router.post(
    f"{PATH}/verify",
    tags=TAGS,
    response=ANSWER,
    summary="Verify the submitted rectification: fixed, or partly fixed (the supervising group)",
)
def verify(request: HttpRequest, problem_id: uuid.UUID, payload: VerifyIn) -> dict[str, Any]:
    require_supervising_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_verify(
        actor=request.user,
        problem=problem,
        outcome=payload.outcome,
        text=payload.text,
        revision=payload.revision,
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/send-back",
    tags=TAGS,
    response=ANSWER,
    summary="Send the submitted rectification back with reasons (the supervising group)",
)
def send_back(request: HttpRequest, problem_id: uuid.UUID, payload: ReasonIn) -> dict[str, Any]:
    require_supervising_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_send_back(
        actor=request.user, problem=problem, reason=payload.reason, revision=payload.revision
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/return-visit",
    tags=TAGS,
    response={201: ProblemDetailOut, **ERRORS},
    summary="Return visit (回访): is it really fixed, and a score 1-5. Online by the reporter, "
    "by telephone or on site by the supervising group; not fixed reopens it",
)
def return_visit(
    request: HttpRequest, problem_id: uuid.UUID, payload: ReturnVisitIn
) -> Status[dict[str, Any]]:
    require_not_admin_only(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_return_visit(
        actor=request.user,
        problem=problem,
        score=payload.score,
        fixed=payload.fixed,
        comment=payload.comment,
        mode=payload.mode,
        revision=payload.revision,
    )
    return Status(201, detail_for(request, problem_id, acted=True))


@router.post(
    f"{PATH}/reopen",
    tags=TAGS,
    response=ANSWER,
    summary="Reopen a closed problem (the reporter within the period, the supervising group at any time)",
)
def reopen(request: HttpRequest, problem_id: uuid.UUID, payload: ReasonIn) -> dict[str, Any]:
    require_not_admin_only(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_reopen(
        actor=request.user, problem=problem, reason=payload.reason, revision=payload.revision
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/withdraw",
    tags=TAGS,
    response=ANSWER,
    summary="Withdraw my own problem before it is submitted as fixed (the reporter)",
)
def withdraw(request: HttpRequest, problem_id: uuid.UUID, payload: OptionalReasonIn) -> dict[str, Any]:
    require_not_admin_only(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_withdraw(
        actor=request.user, problem=problem, reason=payload.reason, revision=payload.revision
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/request-withdrawal",
    tags=TAGS,
    response=ANSWER,
    summary="Ask for the problem to be withdrawn (the department): flagged, and checked with the reporter",
)
def request_withdrawal(request: HttpRequest, problem_id: uuid.UUID, payload: ReasonIn) -> dict[str, Any]:
    require_department_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_request_withdrawal(
        actor=request.user, problem=problem, reason=payload.reason, revision=payload.revision
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/check-withdrawal",
    tags=TAGS,
    response={201: ProblemDetailOut, **ERRORS},
    summary="撤单质检: the reporter agrees to the department's withdrawal or not (called back by the "
    "supervising group, or online)",
)
def check_withdrawal(
    request: HttpRequest, problem_id: uuid.UUID, payload: CheckWithdrawalIn
) -> Status[dict[str, Any]]:
    require_not_admin_only(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_check_withdrawal(
        actor=request.user,
        problem=problem,
        agrees=payload.agrees,
        comment=payload.comment,
        mode=payload.mode,
        revision=payload.revision,
    )
    return Status(201, detail_for(request, problem_id, acted=True))


@router.post(
    f"{PATH}/merge",
    tags=TAGS,
    response=ANSWER,
    summary="Merge a duplicate into the problem it repeats (the commission, the supervising group)",
)
def merge(request: HttpRequest, problem_id: uuid.UUID, payload: MergeIn) -> dict[str, Any]:
    require_supervising_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    try:
        into = access_problem_by_id(request.user, payload.into)
    except NotFound as exc:
        raise ValidationFailed(fields={"into": [_("No such problem, or it is not visible to you.")]}) from exc
    services.problem_merge(
        actor=request.user, problem=problem, into=into, reason=payload.reason, revision=payload.revision
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/refer",
    tags=TAGS,
    response=ANSWER,
    summary="Refer a problem that cannot be fixed here, with the reason and to whom",
)
def refer(request: HttpRequest, problem_id: uuid.UUID, payload: ReferIn) -> dict[str, Any]:
    require_supervising_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_refer(
        actor=request.user,
        problem=problem,
        level=payload.level,
        referred_to=payload.referred_to,
        reason=payload.reason,
        revision=payload.revision,
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/classify",
    tags=TAGS,
    response=ANSWER,
    summary="Correct the category, sub-type, severity or institutional flag (the commission, the group)",
)
def classify(request: HttpRequest, problem_id: uuid.UUID, payload: ClassifyIn) -> dict[str, Any]:
    require_supervising_role(request)
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_classify(
        actor=request.user,
        problem=problem,
        category=payload.category,
        subcategory=payload.subcategory,
        severity=payload.severity,
        institutional=payload.institutional,
        revision=payload.revision,
    )
    return detail_for(request, problem_id, acted=True)


@router.post(
    f"{PATH}/note",
    tags=TAGS,
    response={201: ProblemDetailOut, **ERRORS},
    summary="Add a note to the story (the departments, the commission, the group); internal unless public",
)
def note(request: HttpRequest, problem_id: uuid.UUID, payload: NoteIn) -> Status[dict[str, Any]]:
    require_role(
        request,
        (*DEPARTMENT, *SUPERVISING),
        _("Only the departments, the commission and the groups add notes."),
    )
    problem = access_problem_by_id(request.user, problem_id)
    services.problem_note(
        actor=request.user,
        problem=problem,
        text=payload.text,
        public=payload.public,
        revision=payload.revision,
    )
    return Status(201, detail_for(request, problem_id, acted=True))

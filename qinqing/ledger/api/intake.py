"""Problems coming in over JSON, and what they come through: a report by a logged-in
person (an enterprise's complaint or topic report, an observer's, a finding of the
commission, a group or a department; with photos or documents), a report at a
monitoring point's own link without logging in (answering the receipt code once), a
head's walk-through with the problems it found, campaigns with their topics, monitoring
points, observers, and rules established (建章立制).

The services decide who may use which channel and where a report goes; a user whose
roles can never do the thing is refused (403) first."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path
from ninja.responses import Status

from qinqing.accounts.models import User
from qinqing.common.errors import ValidationFailed
from qinqing.common.throttle import ANONYMOUS_SUBMIT, throttle_api
from qinqing.enterprises.models import Enterprise

from .. import services
from ..models import Problem
from ..selectors import problems_for
from .acting import (
    DEPARTMENT,
    SUPERVISING,
    campaign_by_id,
    detail_for,
    organisation,
    organisations,
    require_department_role,
    require_not_admin_only,
    require_role,
    require_supervising_role,
    topic_by_title,
)
from .out import (
    CampaignOut,
    ObserverOut,
    OutcomeOut,
    PointOut,
    ProblemDetailOut,
    ReceiptOut,
    WalkThroughOut,
    campaign_out,
    observer_out,
    outcome_out,
    point_out,
    walkthrough_out,
)
from .routing import router
from .schemas import (
    ERRORS,
    POINT_LINK,
    CampaignIn,
    ObserverIn,
    OutcomeIn,
    PointIn,
    PointReportIn,
    ReportIn,
    WalkThroughIn,
    multipart_body,
    read_form,
)

TAGS = ["ledger: intake"]

REPORT_BODY = multipart_body(
    ReportIn,
    files_required=False,
    description="The report, and any photos or documents (PDF, PNG, JPEG) under `files` (repeatable). "
    "`co_departments` is repeated for each department.",
)
POINT_REPORT_BODY = multipart_body(
    PointReportIn,
    files_required=False,
    description="The report, and any photos or documents (PDF, PNG, JPEG) under `files` (repeatable).",
)


# A client's retry of a report (a lost answer, a timeout) names the same key and gets
# what the first call registered, with 201 again; a key sent with another report is a
# 409 (idempotency_key_reused).
IDEMPOTENCY_KEY = Header(
    "",
    alias="Idempotency-Key",
    max_length=128,
    description="Optional: 16 to 128 letters, digits, '-' or '_' (a UUID will do), unique per report. "
    "Sent again with the same report, the call answers what the first registered instead of a "
    "second registration.",
)


def _enterprise(public_id: uuid.UUID | None) -> Enterprise | None:
    if public_id is None:
        return None
    found = Enterprise.objects.select_related("region").filter(public_id=public_id).first()
    if found is None:
        raise ValidationFailed(fields={"enterprise": [_("No such enterprise.")]})
    return found


@router.post(
    "/problems",
    tags=TAGS,
    response={201: ProblemDetailOut, **ERRORS},
    summary="Report a problem: an enterprise (complaint, or under a topic campaign's topic), an "
    "observer, the commission or a group (inspection, topic, visit; may assign at once), a "
    "department (its own finding, assigned to itself)",
    openapi_extra=REPORT_BODY,
)
def report(
    request: HttpRequest,
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Status[dict[str, Any]]:
    require_not_admin_only(request)
    data, files = read_form(request, ReportIn)
    campaign = campaign_by_id(data.campaign)
    problem = services.problem_report(
        actor=request.user,
        channel=data.channel,
        title=data.title,
        description=data.description,
        category=data.category,
        subcategory=data.subcategory,
        severity=data.severity,
        institutional=data.institutional,
        location=data.location,
        campaign=campaign,
        topic=topic_by_title(campaign, data.topic),
        enterprise=_enterprise(data.enterprise),
        hide_reporter=data.hide_reporter,
        department=organisation(data.department, "department") if data.department else None,
        co_departments=organisations(data.co_departments, "co_departments"),
        deadline_mode=data.deadline_mode,
        deadline_days=data.deadline_days,
        files=files,
        idempotency_key=idempotency_key,
    )
    return Status(201, detail_for(request, problem.public_id, acted=True))


@router.post(
    "/points/{token}/report",
    tags=TAGS,
    response={201: ReceiptOut, **ERRORS},
    auth=None,
    summary="Report at a monitoring point's own link, without logging in; answers the receipt code "
    "to follow it with (again, to a retry with the same Idempotency-Key)",
    openapi_extra=POINT_REPORT_BODY,
)
@throttle_api(ANONYMOUS_SUBMIT)
def report_at_point(
    request: HttpRequest,
    token: str = Path(..., pattern=POINT_LINK),  # noqa: B008 - ninja's way of bounding a path parameter
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Status[dict[str, Any]]:
    data, files = read_form(request, PointReportIn)
    problem, receipt = services.problem_report_at_point(
        token=token,
        title=data.title,
        description=data.description,
        category=data.category,
        subcategory=data.subcategory,
        location=data.location,
        reporter_name=data.reporter_name,
        reporter_contact=data.reporter_contact,
        files=files,
        idempotency_key=idempotency_key,
    )
    return Status(
        201,
        {
            "reference": problem.reference or "",
            "receipt": receipt,
            "status": problem.status,
            "status_label": str(problem.get_status_display()),
        },
    )


@router.post(
    "/walk-throughs",
    tags=TAGS,
    response={201: WalkThroughOut, **ERRORS},
    summary="Record a walk-through of the department's own process (局长走流程): the steps, the "
    "minutes each took, and the problems found, assigned to the department at once",
)
def record_walkthrough(
    request: HttpRequest, payload: WalkThroughIn, idempotency_key: str = IDEMPOTENCY_KEY
) -> Status[dict[str, Any]]:
    require_department_role(request)
    walk = services.walkthrough_record(
        actor=request.user,
        department=organisation(payload.department, "department"),
        process_name=payload.process_name,
        walked_on=payload.walked_on,
        steps=[s.model_dump() for s in payload.steps],
        notes=payload.notes,
        campaign=campaign_by_id(payload.campaign),
        problems=[p.model_dump() for p in payload.problems],
        idempotency_key=idempotency_key,
    )
    found = list(
        problems_for(request.user)
        .filter(walk_through=walk)
        .select_related("organisation", "supervising_group")
        .order_by("id")
    )
    return Status(201, walkthrough_out(walk, found, timezone.localdate()))


@router.post(
    "/campaigns",
    tags=TAGS,
    response={201: CampaignOut, **ERRORS},
    summary="Start a campaign (the commission): walk-throughs, an inspection round, a topic "
    "campaign with its topics, or visits",
)
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    require_supervising_role(request)
    campaign = services.campaign_create(
        actor=request.user,
        channel=payload.channel,
        title=payload.title,
        organisation=organisation(payload.organisation, "organisation"),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        topics=[t.model_dump() for t in payload.topics],
    )
    return Status(201, campaign_out(campaign))


@router.post(
    "/points",
    tags=TAGS,
    response={201: PointOut, **ERRORS},
    summary="Appoint a monitoring point (the commission); it reports through its own link",
)
def appoint_point(request: HttpRequest, payload: PointIn) -> Status[dict[str, Any]]:
    require_supervising_role(request)
    point = services.monitoring_point_appoint(
        actor=request.user,
        name=payload.name,
        organisation=organisation(payload.organisation, "organisation"),
        appointed_on=payload.appointed_on,
        enterprise=_enterprise(payload.enterprise),
        address=payload.address,
    )
    return Status(201, point_out(request, point, problem_count=0))


@router.post(
    "/observers",
    tags=TAGS,
    response={201: ObserverOut, **ERRORS},
    summary="Appoint an observer (the commission); observers report on their own page",
)
def appoint_observer(request: HttpRequest, payload: ObserverIn) -> Status[dict[str, Any]]:
    require_supervising_role(request)
    person = User.objects.filter(public_id=payload.user, is_active=True).first()
    if person is None:
        raise ValidationFailed(fields={"user": [_("No such person.")]})
    observer = services.observer_appoint(
        actor=request.user,
        user=person,
        organisation=organisation(payload.organisation, "organisation"),
        appointed_on=payload.appointed_on,
        affiliation=payload.affiliation,
    )
    return Status(201, observer_out(observer))


@router.post(
    "/outcomes",
    tags=TAGS,
    response={201: OutcomeOut, **ERRORS},
    summary="Record a rule, document or mechanism established from problems (建章立制)",
)
def record_outcome(request: HttpRequest, payload: OutcomeIn) -> Status[dict[str, Any]]:
    require_role(
        request,
        (*DEPARTMENT, *SUPERVISING),
        _("Only a department or the commission records rules established."),
    )
    wanted = list(dict.fromkeys(payload.problems))
    linked: list[Problem] = list(problems_for(request.user).filter(public_id__in=wanted))
    if len(linked) != len(wanted):
        raise ValidationFailed(fields={"problems": [_("No such problem, or it is not visible to you.")]})
    outcome = services.rule_outcome_record(
        actor=request.user,
        title=payload.title,
        organisation=organisation(payload.organisation, "organisation"),
        issued_on=payload.issued_on,
        problems=linked,
        kind=payload.kind,
        document_number=payload.document_number,
        summary=payload.summary,
        url=payload.url,
        campaign=campaign_by_id(payload.campaign),
    )
    return Status(201, outcome_out(outcome, {p.pk for p in linked}))

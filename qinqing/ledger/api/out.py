"""What the ledger API answers: problems (a list row; one problem with its story, files,
return visits and the actions open to the reader), the public view a receipt code
follows, walk-throughs, campaigns with their topics, monitoring points, observers and
rules established. Dates ISO, records named by public ids, organisations by codes.

Officials' names are shown to officials only; a reporter who asked to be hidden is
hidden from the department (the supervising group and the reporter see who it was)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema

from qinqing.accounts.models import Organisation
from qinqing.accounts.scoping import scope_for

from ..models import (
    OPEN_STATUSES,
    Campaign,
    Category,
    Channel,
    MonitoringPoint,
    Observer,
    Problem,
    ProblemFile,
    ProblemStatus,
    ProblemUpdate,
    ReturnVisit,
    RuleOutcome,
    WalkThrough,
    subcategory_label,
)
from ..services.common import reporter_may_reopen, return_visit_refusal

BASE = "/api/v1/ledger"


def _code(org: Organisation | None) -> str | None:
    return org.code if org is not None else None


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- Problems -------------------------------------------------------------------------------


class ProblemSummaryOut(Schema):
    public_id: uuid.UUID
    reference: str
    title: str
    channel: str
    channel_label: str
    category: str
    category_label: str
    subcategory: str
    subcategory_label: str
    severity: str
    severity_label: str
    institutional: str
    status: str
    status_label: str
    outcome: str
    department: str = Field(
        ..., description="Code of the responsible department (the commission before assignment)"
    )
    department_name: str
    supervising_group: str | None = Field(..., description="Code of the supervising group")
    due_date: dt.date | None
    overdue: bool = Field(..., description="Open and past its due date")
    registered_at: dt.datetime
    revision: int


class PageOfProblems(Schema):
    count: int
    items: list[ProblemSummaryOut]


def problem_summary(problem: Problem, today: dt.date) -> dict[str, Any]:
    return {
        "public_id": problem.public_id,
        "reference": problem.reference or "",
        "title": problem.title,
        "channel": problem.channel,
        "channel_label": _label(Channel, problem.channel),
        "category": problem.category,
        "category_label": _label(Category, problem.category),
        "subcategory": problem.subcategory,
        "subcategory_label": subcategory_label(problem.category, problem.subcategory)
        if problem.subcategory
        else "",
        "severity": problem.severity,
        "severity_label": str(problem.get_severity_display()),
        "institutional": problem.institutional,
        "status": problem.status,
        "status_label": str(problem.get_status_display()),
        "outcome": problem.outcome,
        "department": problem.organisation.code,
        "department_name": problem.organisation.name,
        "supervising_group": _code(problem.supervising_group),
        "due_date": problem.due_date,
        "overdue": problem.status in OPEN_STATUSES
        and problem.due_date is not None
        and problem.due_date < today,
        "registered_at": problem.registered_at,
        "revision": problem.revision,
    }


class FileOut(Schema):
    public_id: uuid.UUID
    name: str
    content_type: str
    size: int
    url: str = Field(..., description="Download (as an attachment)")


def file_out(f: ProblemFile) -> dict[str, Any]:
    return {
        "public_id": f.public_id,
        "name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "url": f"{BASE}/files/{f.public_id}",
    }


class UpdateOut(Schema):
    kind: str
    kind_label: str
    text: str
    public: bool
    at: dt.datetime
    author: str = Field(..., description="Empty for readers who are not officials")
    files: list[FileOut]


def update_out(update: ProblemUpdate, *, names: bool) -> dict[str, Any]:
    return {
        "kind": update.kind,
        "kind_label": str(update.get_kind_display()),
        "text": update.text,
        "public": update.public,
        "at": update.at,
        "author": update.author_label if names else "",
        "files": [file_out(f) for f in update.files.all()],
    }


class VisitOut(Schema):
    purpose: str
    mode: str
    score: int | None
    fixed: bool | None
    agrees: bool | None
    comment: str
    at: dt.datetime


def visit_out(visit: ReturnVisit) -> dict[str, Any]:
    return {
        "purpose": visit.purpose,
        "mode": visit.mode,
        "score": visit.score,
        "fixed": visit.fixed,
        "agrees": visit.agrees,
        "comment": visit.comment,
        "at": visit.at,
    }


class ReporterOut(Schema):
    name: str
    enterprise: uuid.UUID | None
    enterprise_name: str


class HistoryOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    department: str = Field(..., description="Code of the organisation responsible after the move")
    due_date: dt.date | None
    category: str
    actor: str | None = Field(
        ..., description="Null when it was the reporter and they are hidden from the reader"
    )


def history_out(problem: Problem, *, reporter_visible: bool) -> list[dict[str, Any]]:
    out = []
    for t in problem.transitions.select_related("organisation", "actor").order_by("at", "id"):
        hidden = not reporter_visible and t.actor_id is not None and t.actor_id == problem.reporter_user_id
        out.append(
            {
                "at": t.at,
                "action": t.action,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "department": t.organisation.code,
                "due_date": t.due_date,
                "category": t.category or problem.category,
                "actor": None if hidden or t.actor is None else str(t.actor),
            }
        )
    return out


class ProblemDetailOut(ProblemSummaryOut):
    description: str
    location: str
    intake: str = Field(..., description="Code of the commission that received it")
    co_departments: list[str]
    campaign: uuid.UUID | None
    topic: str | None = Field(..., description="The campaign topic's title")
    walk_through: uuid.UUID | None
    monitoring_point: uuid.UUID | None
    reporter: ReporterOut | None = Field(..., description="Null when hidden from the reader")
    deadline_mode: str
    deadline_days: int | None
    original_due_date: dt.date | None
    duplicate_of: uuid.UUID | None
    referred_level: str
    referred_to: str
    reason: str
    assigned_at: dt.datetime | None
    first_submitted_at: dt.datetime | None
    rectified_on: dt.date | None
    verified_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_until: dt.date | None
    satisfaction: int | None
    send_back_count: int
    reopen_count: int
    withdrawal_flagged: bool
    rule_outcomes: list[uuid.UUID]
    story: list[UpdateOut]
    files: list[FileOut] = Field(..., description="Every file the reader may see, the report's own included")
    return_visits: list[VisitOut]
    history: list[HistoryOut] = Field(
        ..., description="Every move of its status, department, due date and classification, oldest first"
    )
    actions: list[str] = Field(..., description="What the reader may do now (names of the action endpoints)")


def problem_detail(
    problem: Problem,
    *,
    today: dt.date,
    story: list[ProblemUpdate],
    files: list[ProblemFile],
    names: bool,
    reporter_visible: bool,
    actions: list[str],
) -> dict[str, Any]:
    reporter = None
    if reporter_visible:
        enterprise = problem.reporter_enterprise
        user = problem.reporter_user
        reporter = {
            "name": problem.reporter_name or (str(user) if user is not None else ""),
            "enterprise": enterprise.public_id if enterprise is not None else None,
            "enterprise_name": enterprise.name if enterprise is not None else "",
        }
    return {
        **problem_summary(problem, today),
        "description": problem.description,
        "location": problem.location,
        "intake": problem.intake.code,
        "co_departments": sorted(o.code for o in problem.co_departments.all()),
        "campaign": problem.campaign.public_id if problem.campaign is not None else None,
        "topic": problem.topic.title if problem.topic is not None else None,
        "walk_through": problem.walk_through.public_id if problem.walk_through is not None else None,
        "monitoring_point": problem.monitoring_point.public_id
        if problem.monitoring_point is not None
        else None,
        "reporter": reporter,
        "deadline_mode": problem.deadline_mode,
        "deadline_days": problem.deadline_days,
        "original_due_date": problem.original_due_date,
        "duplicate_of": problem.duplicate_of.public_id if problem.duplicate_of is not None else None,
        "referred_level": problem.referred_level,
        "referred_to": problem.referred_to,
        "reason": problem.reason,
        "assigned_at": problem.assigned_at,
        "first_submitted_at": problem.first_submitted_at,
        "rectified_on": problem.rectified_on,
        "verified_at": problem.verified_at,
        "closed_at": problem.closed_at,
        "reopen_until": problem.reopen_until,
        "satisfaction": problem.satisfaction,
        "send_back_count": problem.send_back_count,
        "reopen_count": problem.reopen_count,
        "withdrawal_flagged": problem.withdrawal_flagged,
        "rule_outcomes": [o.public_id for o in problem.rule_outcomes.all()],
        "story": [update_out(u, names=names) for u in story],
        "files": [file_out(f) for f in files],
        "return_visits": [visit_out(v) for v in problem.return_visits.all()],
        "history": history_out(problem, reporter_visible=reporter_visible),
        "actions": actions,
    }


class PublicStepOut(Schema):
    kind: str
    kind_label: str
    text: str
    at: dt.datetime


class FollowOut(Schema):
    """What a reporter without an account sees with the receipt code."""

    reference: str
    title: str
    status: str
    status_label: str
    department_name: str
    due_date: dt.date | None
    registered_at: dt.datetime
    closed_at: dt.datetime | None
    reopen_until: dt.date | None = Field(
        ..., description="A closed problem: the last day the code may reopen it (POST /follow/reopen)"
    )
    can_answer_visit: bool = Field(
        ..., description="The return visit may be answered now (POST /follow/visit)"
    )
    can_reopen: bool = Field(..., description="The problem may be reopened now (POST /follow/reopen)")
    story: list[PublicStepOut]


def follow_out(problem: Problem) -> dict[str, Any]:
    story = problem.updates.filter(public=True).order_by("at", "id")
    return {
        "reference": problem.reference or "",
        "title": problem.title,
        "status": problem.status,
        "status_label": str(problem.get_status_display()),
        "department_name": problem.organisation.name,
        "due_date": problem.due_date,
        "registered_at": problem.registered_at,
        "closed_at": problem.closed_at,
        "reopen_until": problem.reopen_until if problem.status == ProblemStatus.CLOSED else None,
        "can_answer_visit": return_visit_refusal(problem) is None,
        "can_reopen": reporter_may_reopen(problem),
        "story": [
            {"kind": u.kind, "kind_label": str(u.get_kind_display()), "text": u.text, "at": u.at}
            for u in story
        ],
    }


class ReceiptOut(Schema):
    reference: str
    receipt: str = Field(..., description="Shown once: keep it to follow the problem (POST /follow)")
    status: str
    status_label: str


# --- Walk-throughs, campaigns, points, observers, outcomes ---------------------------------


class StepOut(Schema):
    name: str
    minutes: int


class WalkThroughOut(Schema):
    public_id: uuid.UUID
    department: str
    department_name: str
    campaign: uuid.UUID | None
    walker_name: str
    process_name: str
    walked_on: dt.date
    steps: list[StepOut]
    total_minutes: int
    notes: str
    problems: list[ProblemSummaryOut] | None = Field(
        None, description="The problems found that the reader may see (one walk-through only)"
    )


class PageOfWalkThroughs(Schema):
    count: int
    items: list[WalkThroughOut]


def walkthrough_out(walk: WalkThrough, problems: list[Problem] | None, today: dt.date) -> dict[str, Any]:
    return {
        "public_id": walk.public_id,
        "department": walk.department.code,
        "department_name": walk.department.name,
        "campaign": walk.campaign.public_id if walk.campaign is not None else None,
        "walker_name": walk.walker_name,
        "process_name": walk.process_name,
        "walked_on": walk.walked_on,
        "steps": walk.steps,
        "total_minutes": walk.total_minutes,
        "notes": walk.notes,
        "problems": None if problems is None else [problem_summary(p, today) for p in problems],
    }


class TopicOut(Schema):
    title: str
    category: str
    category_label: str


class CampaignOut(Schema):
    public_id: uuid.UUID
    channel: str
    channel_label: str
    title: str
    description: str
    organisation: str
    organisation_name: str
    starts_on: dt.date
    ends_on: dt.date | None
    status: str
    topics: list[TopicOut]


class TopicCountOut(Schema):
    title: str
    registered: int
    closed: int


class CampaignDetailOut(CampaignOut):
    figures: dict[str, Any] | None = Field(
        ..., description="The campaign's problems the reader may see: counts and rates (officials only)"
    )
    topic_counts: list[TopicCountOut] | None
    walk_throughs: int | None
    outcomes: int | None = Field(..., description="Rules established out of it (建章立制)")


class PageOfCampaigns(Schema):
    count: int
    items: list[CampaignOut]


def campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "public_id": campaign.public_id,
        "channel": campaign.channel,
        "channel_label": _label(Channel, campaign.channel),
        "title": campaign.title,
        "description": campaign.description,
        "organisation": campaign.organisation.code,
        "organisation_name": campaign.organisation.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "status": campaign.status,
        "topics": [
            {"title": t.title, "category": t.category, "category_label": _label(Category, t.category)}
            for t in campaign.topics.all()
        ],
    }


class PointOut(Schema):
    public_id: uuid.UUID
    name: str
    organisation: str
    enterprise: uuid.UUID | None
    enterprise_name: str
    address: str
    appointed_on: dt.date
    active: bool
    report_url: str = Field(..., description="The point's own report link (POST, no login); keep it private")
    page_url: str = Field(..., description="The point's report page for people (the link its QR code holds)")
    problem_count: int = Field(..., description="Problems reported at the point")


class PageOfPoints(Schema):
    count: int
    items: list[PointOut]


def point_out(request: HttpRequest, point: MonitoringPoint, *, problem_count: int) -> dict[str, Any]:
    """The point with the absolute address of its page (the link its QR code holds)."""
    page_url = request.build_absolute_uri(reverse("ledger:point_report", args=[point.token]))
    return {
        "public_id": point.public_id,
        "name": point.name,
        "organisation": point.organisation.code,
        "enterprise": point.enterprise.public_id if point.enterprise is not None else None,
        "enterprise_name": point.enterprise.name if point.enterprise is not None else "",
        "address": point.address,
        "appointed_on": point.appointed_on,
        "active": point.active,
        "report_url": f"{BASE}/points/{point.token}/report",
        "page_url": page_url,
        "problem_count": problem_count,
    }


class ObserverOut(Schema):
    public_id: uuid.UUID
    user: uuid.UUID
    name: str
    organisation: str
    affiliation: str
    appointed_on: dt.date
    active: bool
    problem_count: int = Field(0, description="Problems the observer reported (in lists)")


class PageOfObservers(Schema):
    count: int
    items: list[ObserverOut]


def observer_out(observer: Observer) -> dict[str, Any]:
    return {
        "public_id": observer.public_id,
        "user": observer.user.public_id,
        "name": str(observer.user),
        "organisation": observer.organisation.code,
        "affiliation": observer.affiliation,
        "appointed_on": observer.appointed_on,
        "active": observer.active,
        "problem_count": getattr(observer, "problem_count", 0),
    }


class OutcomeOut(Schema):
    public_id: uuid.UUID
    title: str
    kind: str
    kind_label: str
    document_number: str
    issued_on: dt.date
    organisation: str
    organisation_name: str
    campaign: uuid.UUID | None
    summary: str
    url: str
    problems: list[uuid.UUID] = Field(..., description="The linked problems the reader may see")


class OutcomeCountOut(Schema):
    public_id: uuid.UUID | None = Field(
        ..., description="The campaign's or department's (none: outside a campaign)"
    )
    name: str
    outcomes: int = Field(..., description="Rules established")
    problems: int = Field(..., description="Problems they answer")
    institutional: int = Field(..., description="Of those, institutional (体制性/机制性) problems")


class PageOfOutcomes(Schema):
    count: int
    items: list[OutcomeOut]
    by_campaign: list[OutcomeCountOut] = Field(..., description="Over every outcome the filters keep")
    by_department: list[OutcomeCountOut]


def outcome_counts_out(counts: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """`selectors.outcome_counts` in the API's shape."""

    def rows(key: str, prefix: str) -> list[dict[str, Any]]:
        return [
            {
                "public_id": row[f"{prefix}__public_id"],
                "name": row[f"{prefix}__title" if prefix == "campaign" else f"{prefix}__name"] or "",
                "outcomes": row["outcome_count"],
                "problems": row["problem_count"],
                "institutional": row["institutional_count"],
            }
            for row in counts[key]
        ]

    return {
        "by_campaign": rows("campaigns", "campaign"),
        "by_department": rows("departments", "organisation"),
    }


def outcome_out(outcome: RuleOutcome, visible: set[int]) -> dict[str, Any]:
    return {
        "public_id": outcome.public_id,
        "title": outcome.title,
        "kind": outcome.kind,
        "kind_label": str(outcome.get_kind_display()),
        "document_number": outcome.document_number,
        "issued_on": outcome.issued_on,
        "organisation": outcome.organisation.code,
        "organisation_name": outcome.organisation.name,
        "campaign": outcome.campaign.public_id if outcome.campaign is not None else None,
        "summary": outcome.summary,
        "url": outcome.url,
        "problems": [p.public_id for p in outcome.problems.all() if p.pk in visible],
    }


def shows_names(user: Any) -> bool:
    """Officials' names are for officials; a reporter sees what was done."""
    return scope_for(user).is_government

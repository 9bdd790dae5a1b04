"""What problems come through, over JSON, read side: campaigns with their topics,
walk-throughs with the problems they found, rules established (建章立制) and monitoring
points. Each list is what the user may see (the ledger's selectors), paginated."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound

from ..figures import campaign_figures
from ..models import Campaign, MonitoringPoint
from ..selectors import (
    campaigns_for,
    observers_for,
    outcome_counts,
    outcomes_for,
    points_for,
    problems_for,
    walkthroughs_for,
)
from .acting import SUPERVISING, organisation, require_role
from .out import (
    CampaignDetailOut,
    PageOfCampaigns,
    PageOfObservers,
    PageOfOutcomes,
    PageOfPoints,
    PageOfWalkThroughs,
    PointOut,
    WalkThroughOut,
    campaign_out,
    observer_out,
    outcome_counts_out,
    outcome_out,
    point_out,
    walkthrough_out,
)
from .routing import router
from .schemas import ERRORS, CampaignQuery, OutcomeQuery, PageQuery, WalkQuery

TAGS = ["ledger: campaigns, walk-throughs, outcomes, points"]


def _campaigns(request: HttpRequest) -> QuerySet[Campaign]:
    """An administrator who holds no other role reads nothing of the ledger."""
    scope = scope_for(request.user)
    if scope.is_admin and not scope.roles - {Role.ADMIN}:
        return Campaign.objects.none()
    return campaigns_for(request.user)


@router.get(
    "/campaigns",
    tags=TAGS,
    response={200: PageOfCampaigns, **ERRORS},
    summary="Campaigns with their topics (officials all; enterprises the active topic campaigns)",
)
def list_campaigns(request: HttpRequest, filters: Query[CampaignQuery]) -> dict[str, Any]:
    qs = _campaigns(request)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.order_by("-starts_on", "-id")
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [campaign_out(c) for c in items]}


@router.get(
    "/campaigns/{uuid:campaign_id}",
    tags=TAGS,
    response={200: CampaignDetailOut, **ERRORS},
    summary="One campaign with its topics; for officials also its progress, as its page shows it",
)
def get_campaign(request: HttpRequest, campaign_id: uuid.UUID) -> dict[str, Any]:
    campaign = _campaigns(request).filter(public_id=campaign_id).first()
    if campaign is None:
        raise NotFound()
    out: dict[str, Any] = {
        **campaign_out(campaign),
        "figures": None,
        "topic_counts": None,
        "walk_throughs": None,
        "outcomes": None,
    }
    user = request.user
    scope = scope_for(user)
    if scope.is_government or scope.is_supervisor:
        counted = campaign_figures(problems_for(user), campaign, timezone.localdate())
        out["figures"] = counted["totals"]
        out["topic_counts"] = [
            {"title": row["topic"].title, "registered": row["registered"], "closed": row["closed"]}
            for row in counted["topics"]
        ]
        out["walk_throughs"] = walkthroughs_for(user).filter(campaign=campaign).count()
        out["outcomes"] = outcomes_for(user).filter(campaign=campaign).count()
    return out


@router.get(
    "/walk-throughs",
    tags=TAGS,
    response={200: PageOfWalkThroughs, **ERRORS},
    summary="Walk-throughs of processes (局长走流程) I may see, latest first (department, campaign)",
)
def list_walkthroughs(request: HttpRequest, filters: Query[WalkQuery]) -> dict[str, Any]:
    qs = walkthroughs_for(request.user)
    if filters.department:
        department = organisation(filters.department, "department")
        qs = qs.filter(department__path__startswith=department.path)
    if filters.campaign:
        qs = qs.filter(campaign__public_id=filters.campaign)
    today = timezone.localdate()
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [walkthrough_out(w, None, today) for w in items]}


@router.get(
    "/walk-throughs/{uuid:walk_id}",
    tags=TAGS,
    response={200: WalkThroughOut, **ERRORS},
    summary="One walk-through: its steps and minutes, and the problems it found that I may see",
)
def get_walkthrough(request: HttpRequest, walk_id: uuid.UUID) -> dict[str, Any]:
    walk = walkthroughs_for(request.user).filter(public_id=walk_id).first()
    if walk is None:
        raise NotFound()
    found = list(
        problems_for(request.user)
        .filter(walk_through=walk)
        .select_related("organisation", "supervising_group")
        .order_by("id")
    )
    return walkthrough_out(walk, found, timezone.localdate())


@router.get(
    "/outcomes",
    tags=TAGS,
    response={200: PageOfOutcomes, **ERRORS},
    summary="Rules, documents and mechanisms established from problems (建章立制), latest first",
)
def list_outcomes(request: HttpRequest, filters: Query[OutcomeQuery]) -> dict[str, Any]:
    qs = outcomes_for(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.campaign:
        qs = qs.filter(campaign__public_id=filters.campaign)
    qs = qs.order_by("-issued_on", "-id")
    items = list(qs[filters.offset : filters.offset + filters.limit])
    linked = {p.pk for o in items for p in o.problems.all()}
    visible = set(problems_for(request.user).filter(pk__in=linked).values_list("pk", flat=True))
    return {
        "count": qs.count(),
        "items": [outcome_out(o, visible) for o in items],
        **outcome_counts_out(outcome_counts(qs)),
    }


@router.get(
    "/points",
    tags=TAGS,
    response={200: PageOfPoints, **ERRORS},
    summary="Monitoring points (监测点) with their report links (the commission)",
)
def list_points(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    require_role(request, SUPERVISING, _("Monitoring points are the commission's to see."))
    qs = points_for(request.user).order_by("name", "id")
    items = list(
        qs.annotate(problem_count=Count("problems"))[filters.offset : filters.offset + filters.limit]
    )
    return {"count": qs.count(), "items": [_point(request, p) for p in items]}


def _point(request: HttpRequest, point: MonitoringPoint) -> dict[str, Any]:
    """A point annotated with its `problem_count`."""
    return point_out(request, point, problem_count=point.problem_count)  # type: ignore[attr-defined]


@router.get(
    "/points/{uuid:point_id}",
    tags=TAGS,
    response={200: PointOut, **ERRORS},
    summary="One monitoring point with its links and the problems reported at it (the commission)",
)
def read_point(request: HttpRequest, point_id: uuid.UUID) -> dict[str, Any]:
    require_role(request, SUPERVISING, _("Monitoring points are the commission's to see."))
    found = (
        points_for(request.user).annotate(problem_count=Count("problems")).filter(public_id=point_id).first()
    )
    if found is None:
        raise NotFound()
    return _point(request, found)


@router.get(
    "/observers",
    tags=TAGS,
    response={200: PageOfObservers, **ERRORS},
    summary="Appointed observers (观察员) and how many problems each reported (the commission)",
)
def list_observers(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    require_role(request, SUPERVISING, _("Observers are the commission's to see."))
    qs = observers_for(request.user).order_by("id")
    items = list(
        qs.annotate(problem_count=Count("problems"))[filters.offset : filters.offset + filters.limit]
    )
    return {"count": qs.count(), "items": [observer_out(o) for o in items]}

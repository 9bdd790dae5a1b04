"""Who sees which problems. Written once; pages, the API and the exports go through here.

- a reporter (any logged-in person) sees what they reported; an enterprise user also
  what was reported for their enterprise (its complaints, its monitoring point's reports);
- officers and heads see the problems their department (or a unit under it) is
  responsible or co-responsible for;
- supervisors read everything in their reach (the departments their group watches; the
  commission: its whole city or county), and everything their group supervises;
- the admin configures and sees no problems.

An observer is a reporter like any other: only what they reported.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from qinqing.accounts.models import Organisation, OrganisationKind, Role
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import NotFound

from .models import (
    OPEN_STATUSES,
    QUEUE_STATUSES,
    Campaign,
    Institutional,
    LedgerReport,
    MonitoringPoint,
    Observer,
    Problem,
    ProblemFile,
    ProblemStatus,
    ProblemUpdate,
    RuleOutcome,
    WalkThrough,
)
from .services.common import _supervisor_nodes


def visibility_q(user: Any) -> Q | None:
    """The condition on problems `user` may read; None when nothing."""
    scope = scope_for(user)
    if scope.user_id is None:
        return None
    mine = Q(reporter_user_id=scope.user_id)
    if scope.enterprise_ids:
        mine |= Q(reporter_enterprise_id__in=sorted(scope.enterprise_ids))
    office = office_q(user)
    if office is not None:
        return mine | office
    # A reporter follows the problem their report was merged into, as their own (the
    # uncorrelated subquery is their own few rows; officials see it by office anyway).
    merged_into = Problem.objects.filter(mine, duplicate_of__isnull=False).values("duplicate_of_id")
    return mine | Q(pk__in=merged_into)


def office_q(user: Any) -> Q | None:
    """The condition on problems `user` reads by office (as an officer, a head or a
    supervisor; not what they or their enterprise reported); None when nothing."""
    scope = scope_for(user)
    conditions: list[Q] = []
    department_paths = scope.paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    if department_paths:
        conditions.append(subtree_q("organisation__path", department_paths))
        conditions.append(
            Q(
                pk__in=Problem.co_departments.through.objects.filter(
                    subtree_q("organisation__path", department_paths)
                ).values("problem_id")
            )
        )
    supervisor_paths = scope.paths_for(Role.SUPERVISOR)
    if supervisor_paths:
        conditions.append(subtree_q("organisation__path", supervisor_paths))
        conditions.append(subtree_q("intake__path", supervisor_paths))
        nodes = _supervisor_nodes(user)
        if nodes:
            conditions.append(subtree_q("supervising_group__path", nodes))
            conditions.append(subtree_q("intake__path", nodes))
    if not conditions:
        return None
    condition = conditions[0]
    for more in conditions[1:]:
        condition |= more
    return condition


def problems_for(user: Any) -> QuerySet[Problem]:
    condition = visibility_q(user)
    if condition is None:
        return Problem.objects.none()
    return Problem.objects.filter(condition)


def problems_in_office_reach(user: Any) -> QuerySet[Problem]:
    """The problems `user` reads by office: what the commission's dashboard counts, the
    same for every supervisor of one commission (so they share its snapshot)."""
    condition = office_q(user)
    if condition is None:
        return Problem.objects.none()
    return Problem.objects.filter(condition)


def problem_list(user: Any, *, filters: dict[str, Any] | None = None) -> QuerySet[Problem]:
    """Visible problems, filtered, with what a list row shows."""
    qs = problems_for(user).select_related(
        "organisation", "supervising_group", "reporter_enterprise", "campaign"
    )
    f = filters or {}
    if f.get("status") == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.get("status"):
        qs = qs.filter(status=f["status"])
    for key in ("channel", "category", "severity", "institutional"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    if f.get("campaign"):
        qs = qs.filter(campaign__public_id=f["campaign"])
    if f.get("department"):
        qs = qs.filter(organisation__public_id=f["department"])
    if f.get("overdue"):
        from .services.common import today

        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today())
    if f.get("q"):
        term = str(f["q"]).strip()
        qs = qs.filter(Q(title__icontains=term) | Q(reference__iexact=term))
    return qs


def department_queue(user: Any) -> QuerySet[Problem]:
    """The department's open problems, the nearest deadline first."""
    # The department's units by id (the scope resolves them), not a join on their paths:
    # with the ids known, the database reads a page of the queue in order from its
    # partial index (ledger_problem_queue) instead of sorting every open problem.
    units = scope_for(user).unit_ids(Role.OFFICER, Role.DEPARTMENT_HEAD)
    if not units:
        return Problem.objects.none()
    return (
        Problem.objects.filter(organisation_id__in=units, status__in=QUEUE_STATUSES)
        .select_related("organisation", "supervising_group")
        .order_by("due_date", "id")
    )


def group_queue(user: Any) -> QuerySet[Problem]:
    """What waits for a supervisor: registered problems to assign at their commission,
    submissions to verify, withdrawals to check, return visits still owed."""
    nodes = _supervisor_nodes(user)
    if not nodes:
        return Problem.objects.none()
    mine = subtree_q("supervising_group__path", nodes) | (
        Q(supervising_group__isnull=True) & subtree_q("intake__path", nodes)
    )
    return (
        Problem.objects.filter(
            (Q(status=ProblemStatus.REGISTERED) & subtree_q("intake__path", nodes))
            | (
                mine
                & Q(
                    status__in=[
                        ProblemStatus.SUBMITTED,
                        ProblemStatus.WITHDRAWAL_REQUESTED,
                        ProblemStatus.VERIFIED,
                    ]
                )
            )
        )
        .select_related("organisation", "supervising_group", "reporter_enterprise")
        .order_by("registered_at", "id")
    )


def reported_by(user: Any) -> QuerySet[Problem]:
    """What a reporter follows: their own reports and their enterprise's."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Problem.objects.none()
    condition = Q(reporter_user_id=scope.user_id)
    if scope.enterprise_ids:
        condition |= Q(reporter_enterprise_id__in=sorted(scope.enterprise_ids))
    return Problem.objects.filter(condition).select_related("organisation").order_by("-registered_at", "-id")


def access_problem_by_id(user: Any, public_id: UUID | str) -> Problem:
    """One problem the user may read, or NotFound (never a hint that it exists)."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    problem = (
        problems_for(user)
        .select_related(
            "organisation",
            "intake",
            "supervising_group",
            "reporter_enterprise",
            "reporter_user",
            "campaign",
            "topic",
            "walk_through",
            "monitoring_point",
            "duplicate_of",
        )
        .filter(public_id=key)
        .first()
    )
    if problem is None:
        raise NotFound()
    return problem


def access_problem_file_by_id(user: Any, public_id: UUID | str) -> ProblemFile:
    """One evidence file of a problem the user may read; a reporter who is not also an
    official gets only files of the public story (and those sent with the report)."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    qs = ProblemFile.objects.filter(public_id=key, problem__in=problems_for(user).values("pk"))
    scope = scope_for(user)
    if not (scope.is_government or scope.is_supervisor):
        qs = qs.filter(Q(update__isnull=True) | Q(update__public=True))
    found = qs.first()
    if found is None:
        raise NotFound()
    return found


def monitoring_point_by_token(token: str) -> MonitoringPoint:
    """An active monitoring point by its link token, or NotFound."""
    point = MonitoringPoint.objects.filter(token=str(token or ""), active=True).first()
    if point is None:
        raise NotFound()
    return point


def problem_story(user: Any, problem: Problem) -> QuerySet[ProblemUpdate]:
    """The problem's story; a reporter who is not also an official sees the public part."""
    qs = problem.updates.select_related("author").prefetch_related("files")
    scope = scope_for(user)
    if not (scope.is_government or scope.is_supervisor):
        qs = qs.filter(public=True)
    return qs.order_by("at", "id")


def walkthroughs_for(user: Any) -> QuerySet[WalkThrough]:
    scope = scope_for(user)
    paths = scope.read_paths
    if not paths:
        return WalkThrough.objects.none()
    return (
        WalkThrough.objects.filter(subtree_q("department__path", paths))
        .select_related("department", "campaign")
        .order_by("-walked_on", "-id")
    )


def districts_for(user: Any) -> list[Organisation]:
    """The districts and counties inside a reader's reach, for the area filters."""
    paths = scope_for(user).read_paths
    if not paths:
        return []
    return list(
        Organisation.objects.filter(subtree_q("path", paths), kind=OrganisationKind.DISTRICT).order_by(
            "name", "id"
        )
    )


def reach_q(user: Any, field: str) -> Q:
    """`field` (an organisation) lies in a supervisor's reach or under their own node."""
    return subtree_q(f"{field}__path", scope_for(user).paths_for(Role.SUPERVISOR)) | subtree_q(
        f"{field}__path", _supervisor_nodes(user)
    )


def points_for(user: Any) -> QuerySet[MonitoringPoint]:
    """Monitoring points are the commission's: points appointed by a commission or group
    in the supervisor's reach (their report links included); nobody else's."""
    return MonitoringPoint.objects.filter(reach_q(user, "organisation")).select_related(
        "organisation", "enterprise"
    )


def observers_for(user: Any) -> QuerySet[Observer]:
    """Appointed observers, as `points_for`."""
    return Observer.objects.filter(reach_q(user, "organisation")).select_related("organisation", "user")


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """Campaigns are public structure for government users and supervisors; enterprises
    see the active topic campaigns (they may report under a topic)."""
    scope = scope_for(user)
    if scope.is_government or scope.is_supervisor:
        return Campaign.objects.select_related("organisation").prefetch_related("topics")
    if scope.user_id is None:
        return Campaign.objects.none()
    return (
        Campaign.objects.filter(status="active", channel="topic")
        .select_related("organisation")
        .prefetch_related("topics")
    )


def outcomes_for(user: Any) -> QuerySet[RuleOutcome]:
    scope = scope_for(user)
    if not scope.read_paths:
        return RuleOutcome.objects.none()
    return (
        RuleOutcome.objects.filter(subtree_q("organisation__path", scope.read_paths))
        .select_related("organisation", "campaign")
        .prefetch_related("problems")
    )


def reports_for(user: Any) -> QuerySet[LedgerReport]:
    """Reports are the supervisors' (the commission's and the groups')."""
    scope = scope_for(user)
    paths = scope.paths_for(Role.SUPERVISOR)
    if not paths:
        return LedgerReport.objects.none()
    # A report's scope is the node it covers; a supervisor reads those inside their reach
    # and the ones above it that they asked for themselves.
    return LedgerReport.objects.filter(
        subtree_q("scope__path", paths) | Q(requested_by_id=scope.user_id)
    ).select_related("scope", "requested_by")


def outcome_counts(outcomes: QuerySet[RuleOutcome]) -> dict[str, list[dict[str, Any]]]:
    """Rules established and the problems they answer, per campaign and per issuing
    department: two queries."""
    base = outcomes.prefetch_related(None).order_by()
    # Named apart from the relations ("problems" would shadow the join it counts).
    counts = {
        "outcome_count": Count("pk", distinct=True),
        "problem_count": Count("problems", distinct=True),
        "institutional_count": Count(
            "problems",
            distinct=True,
            filter=Q(problems__institutional__in=[Institutional.STRUCTURAL, Institutional.MECHANISM]),
        ),
    }
    per_campaign = list(
        base.values("campaign__public_id", "campaign__title").annotate(**counts).order_by("campaign__title")
    )
    per_department = list(
        base.values("organisation__public_id", "organisation__name")
        .annotate(**counts)
        .order_by("-outcome_count", "organisation__name")
    )
    return {"campaigns": per_campaign, "departments": per_department}

"""Reads of contract fulfilment: who sees which projects, the obligations of a project
on one timeline, the alarm loop's state, and what a person may do to an obligation.

Who reads what (the services enforce the same for writes):
- an enterprise user: the projects of its own enterprise;
- a management-committee member: the projects of its zone;
- a department officer or head: the projects its department (subtree) owes something in;
- a supervisor: every project its reach covers (the committee's node, or a department
  owing in it); the commission and a city-wide group read all;
- an admin: none (configuration only).
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.db.models import Case, CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django_stubs_ext import WithAnnotations

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import Scope, ancestor_paths, scope_for, subtree_q
from qinqing.common.errors import NotFound
from qinqing.deadlines.models import URGENT_RUNGS, Alert

from .models import (
    ClaimEvidence,
    ClaimStatus,
    FulfilmentClaim,
    Obligation,
    ObligationStatus,
    PlanStatus,
    Project,
    RemedyPlan,
)
from .services.claims import can_decide
from .services.common import (
    OWED_STATUSES,
    is_committee_for,
    is_counterparty,
    is_obligor,
)
from .services.common import today as current_day

ACTIONS = frozenset(
    {"claim", "withdraw_claim", "confirm", "dispute", "decide", "plan", "decide_plan", "cancel", "edit"}
)


def _project_condition(scope: Scope, prefix: str = "") -> Q:
    """The projects `scope` reads, as a condition on Project (or on `prefix` + its fields)."""
    zone_paths = scope.paths_for(Role.COMMITTEE, Role.SUPERVISOR)
    supervised = scope.paths_for(Role.SUPERVISOR)
    # An official works in the obligor department or a unit under it: the obligor is
    # the official's node or one of its ancestors.
    official_nodes = sorted(
        {a for p in scope.paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD) for a in ancestor_paths(p)}
    )
    condition = subtree_q(f"{prefix}committee__path", zone_paths)
    if supervised or official_nodes:
        owed = subtree_q("obligor_department__path", supervised) if supervised else Q(pk__in=[])
        if official_nodes:
            owed |= Q(obligor_department__path__in=official_nodes)
        owing = Obligation.objects.filter(project=OuterRef(f"{prefix}pk" if prefix else "pk")).filter(owed)
        condition |= Q(Exists(owing))
    if scope.enterprise_ids:
        condition |= Q(**{f"{prefix}enterprise_id__in": sorted(scope.enterprise_ids)})
    return condition


def projects_visible(user: Any) -> QuerySet[Project]:
    scope = scope_for(user)
    qs = Project.objects.select_related("enterprise", "committee")
    if scope.user_id is None:
        return qs.none()
    return qs.filter(_project_condition(scope))


def obligations_visible(user: Any) -> QuerySet[Obligation]:
    """The obligations of the projects `user` reads (both sides: one timeline)."""
    return Obligation.objects.select_related(
        "project",
        "project__enterprise",
        "project__committee",
        "clause",
        "clause__contract",
        "obligor_department",
    ).filter(project__in=projects_visible(user).values("pk"))


def access_project_by_public_id(user: Any, public_id: Any) -> Project:
    project = projects_visible(user).filter(public_id=public_id).first()
    if project is None:
        raise NotFound()
    return project


def access_obligation_by_public_id(user: Any, public_id: Any) -> Obligation:
    obligation = obligations_visible(user).filter(public_id=public_id).first()
    if obligation is None:
        raise NotFound()
    return obligation


def access_claim_by_public_id(user: Any, public_id: Any) -> FulfilmentClaim:
    claim = (
        FulfilmentClaim.objects.select_related("obligation", "obligation__project", "claimed_by")
        .filter(obligation__project__in=projects_visible(user).values("pk"), public_id=public_id)
        .first()
    )
    if claim is None:
        raise NotFound()
    return claim


def access_plan_by_public_id(user: Any, public_id: Any) -> RemedyPlan:
    plan = (
        RemedyPlan.objects.select_related("obligation", "obligation__project", "submitted_by")
        .filter(obligation__project__in=projects_visible(user).values("pk"), public_id=public_id)
        .first()
    )
    if plan is None:
        raise NotFound()
    return plan


def access_evidence_by_public_id(user: Any, public_id: Any) -> ClaimEvidence:
    evidence = (
        ClaimEvidence.objects.select_related("claim", "claim__obligation")
        .filter(claim__obligation__project__in=projects_visible(user).values("pk"), public_id=public_id)
        .first()
    )
    if evidence is None:
        raise NotFound()
    return evidence


class AlarmState(TypedDict):
    alarm_state: str


def with_alarm_state(qs: QuerySet[Obligation]) -> QuerySet[WithAnnotations[Obligation, AlarmState]]:
    """Annotate `alarm_state`: "open" when the obligation (still owed) has an alarm or
    escalation for its current due date on its current deadline and no plan answering
    that date is submitted or accepted; "answered" while a plan for it is submitted;
    "" otherwise."""
    alarmed = Exists(
        Alert.objects.filter(
            deadline_id=OuterRef("deadline_id"), due_date=OuterRef("due_date"), rung__in=sorted(URGENT_RUNGS)
        )
    )
    plans = RemedyPlan.objects.filter(obligation=OuterRef("pk"), due_date=OuterRef("due_date"))
    submitted = Exists(plans.filter(status=PlanStatus.SUBMITTED))
    accepted = Exists(plans.filter(status=PlanStatus.ACCEPTED))
    owed = Q(status__in=sorted(OWED_STATUSES), met_on__isnull=True)
    return qs.annotate(
        alarm_state=Case(
            When(owed & Q(alarmed) & Q(submitted), then=Value("answered")),
            When(owed & Q(alarmed) & ~Q(accepted), then=Value("open")),
            default=Value(""),
            output_field=CharField(),
        )
    )


# The committee's work list of claims: what waits for an answer, and on whom.
CLAIM_STAGES: dict[str, tuple[str, ...]] = {
    "claimed": (ClaimStatus.PENDING,),  # awaiting the other side's confirmation
    "disputed": (ClaimStatus.DISPUTED,),  # awaiting the committee's decision
    "all": (ClaimStatus.PENDING, ClaimStatus.DISPUTED),
}


def claims_waiting(
    user: Any, *, stage: str = "claimed", side: str = "", q: str = ""
) -> QuerySet[FulfilmentClaim]:
    """Claims in play in the projects `user` reads, the longest waiting first: by
    default those claimed by the owing side and awaiting the other side's confirmation;
    `stage="disputed"` those awaiting the committee's decision, `"all"` both. `side`
    keeps one obligor side; `q` looks in the project's number and name, the enterprise's
    name and the obligation's title."""
    qs = (
        FulfilmentClaim.objects.filter(
            status__in=CLAIM_STAGES.get(stage, CLAIM_STAGES["claimed"]),
            obligation__project__in=projects_visible(user).values("pk"),
        )
        .select_related(
            "obligation",
            "obligation__project",
            "obligation__project__enterprise",
            "obligation__project__committee",
            "obligation__obligor_department",
            "claimed_by",
        )
        .order_by("claimed_at", "id")
    )
    if side:
        qs = qs.filter(obligation__obligor_side=side)
    if q:
        qs = qs.filter(
            Q(obligation__project__reference__icontains=q)
            | Q(obligation__project__name__icontains=q)
            | Q(obligation__project__enterprise__name__icontains=q)
            | Q(obligation__title__icontains=q)
        )
    return qs


def project_obligations(project: Project) -> QuerySet[Obligation]:
    """A project's obligations in due order (undated last), with what a timeline and
    the action panels show."""
    return (
        Obligation.objects.filter(project=project)
        .select_related(
            "project",
            "project__committee",
            "project__enterprise",
            "clause",
            "clause__contract",
            "obligor_department",
        )
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=FulfilmentClaim.objects.select_related("claimed_by").prefetch_related("evidence"),
            ),
            Prefetch("plans", queryset=RemedyPlan.objects.select_related("submitted_by", "decided_by")),
        )
        .order_by("due_date", "position", "pk")
    )


def _claim_in_play(obligation: Obligation) -> FulfilmentClaim | None:
    for claim in obligation.claims.all():
        if claim.status in (ClaimStatus.PENDING, ClaimStatus.DISPUTED):
            return claim
    return None


def _plan_awaiting(obligation: Obligation) -> RemedyPlan | None:
    for plan in obligation.plans.all():
        if plan.status == PlanStatus.SUBMITTED:
            return plan
    return None


def allowed_actions(user: Any, obligation: Obligation) -> frozenset[str]:
    """What `user` may do to `obligation` now, as the services would allow it (pages
    and the API show only these; the services check again)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return frozenset()
    project = obligation.project
    committee = is_committee_for(user, project)
    obligor = is_obligor(user, obligation)
    counterparty = is_counterparty(user, obligation)
    if not (committee or obligor or counterparty):
        return frozenset()
    status = obligation.status
    actions: set[str] = set()
    claim = _claim_in_play(obligation)
    if obligor and status in (ObligationStatus.OPEN, ObligationStatus.PARTLY_MET) and claim is None:
        actions.add("claim")
    if claim is not None and claim.status == ClaimStatus.PENDING:
        if obligor:
            actions.add("withdraw_claim")
        if counterparty:
            actions.update({"confirm", "dispute"})
    if claim is not None and claim.status == ClaimStatus.DISPUTED and can_decide(user, claim, project):
        actions.add("decide")
    today = current_day()
    if (
        obligor
        and status in OWED_STATUSES
        and obligation.met_on is None
        and obligation.due_date is not None
        and obligation.due_date < today
        and _plan_awaiting(obligation) is None
    ):
        actions.add("plan")
    if committee:
        if _plan_awaiting(obligation) is not None:
            actions.add("decide_plan")
        if status in (ObligationStatus.PENDING, ObligationStatus.OPEN, ObligationStatus.PARTLY_MET):
            actions.add("cancel")
        if status in OWED_STATUSES | {ObligationStatus.PENDING} and obligation.met_on is None:
            actions.add("edit")
    return frozenset(actions)


__all__ = [
    "ACTIONS",
    "CLAIM_STAGES",
    "AlarmState",
    "access_claim_by_public_id",
    "access_evidence_by_public_id",
    "access_obligation_by_public_id",
    "access_plan_by_public_id",
    "access_project_by_public_id",
    "allowed_actions",
    "claims_waiting",
    "obligations_visible",
    "project_obligations",
    "projects_visible",
    "with_alarm_state",
]

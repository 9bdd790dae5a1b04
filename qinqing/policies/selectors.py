"""Reads of the policy catalogue: what the public sees and what an official may manage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.common.errors import NotFound

from .models import Case, CaseStatus, CaseStep, Invitation, Policy, PolicyStatus, StepKind


def policies_public(*, today: dt.date | None = None) -> QuerySet[Policy]:
    """Published policies in force today, for anyone."""
    today = today or timezone.localdate()
    return (
        Policy.objects.filter(status=PolicyStatus.PUBLISHED, valid_from__lte=today, valid_until__gte=today)
        .select_related("department")
        .prefetch_related("versions")
    )


def policy_public_get(public_id: Any, *, today: dt.date | None = None) -> Policy:
    policy = policies_public(today=today).filter(public_id=public_id).first()
    if policy is None:
        raise NotFound()
    return policy


def policies_in_scope(user: Any, *, write: bool = False) -> QuerySet[Policy]:
    """Every policy (any status) of the departments in the user's scope; admins see all."""
    qs = Policy.objects.select_related("department").prefetch_related("versions")
    if scope_for(user).is_admin:
        return qs
    return scope_records(user, qs, organisation_field="department", enterprise_field=None, write=write)


def access_policy_by_public_id(user: Any, public_id: Any, *, write: bool = False) -> Policy:
    """A policy the user may manage; the public catalogue is `policy_public_get`."""
    policy = policies_in_scope(user, write=write).filter(public_id=public_id).first()
    if policy is None:
        raise NotFound()
    return policy


# --- Cases ---------------------------------------------------------------------------------


def cases_visible(user: Any) -> QuerySet[Case]:
    """Cases a user may read: an enterprise its own; officials their departments'
    subtree; supervisors those in their reach (read-only); admins none (they configure,
    they do not look into cases)."""
    qs = Case.objects.select_related("policy", "enterprise", "organisation")
    scope = scope_for(user)
    if scope.user_id is None:
        return qs.none()
    return scope_records(user, qs, organisation_field="organisation", enterprise_field="enterprise")


def access_case_by_public_id(user: Any, public_id: Any) -> Case:
    case = cases_visible(user).filter(public_id=public_id).first()
    if case is None:
        raise NotFound()
    return case


def enterprise_cases(user: Any) -> QuerySet[Case]:
    """The enterprise user's own cases, newest first."""
    scope = scope_for(user)
    return (
        Case.objects.filter(enterprise_id__in=sorted(scope.enterprise_ids))
        .select_related("policy", "enterprise")
        .order_by("-submitted_at", "-id")
    )


def enterprise_invitations(user: Any) -> QuerySet[Invitation]:
    scope = scope_for(user)
    return (
        Invitation.objects.filter(enterprise_id__in=sorted(scope.enterprise_ids))
        .select_related("policy", "enterprise")
        .order_by("-created_at", "-id")
    )


def access_invitation_by_public_id(user: Any, public_id: Any) -> Invitation:
    invitation = enterprise_invitations(user).filter(public_id=public_id).first()
    if invitation is None:
        raise NotFound()
    return invitation


def work_queue(user: Any) -> QuerySet[CaseStep]:
    """Open steps an official may take (their role, their department's subtree), nearest
    deadline first. Four eyes and recusal are checked per case when acting; the queue
    leaves out cases the user already acted on."""
    scope = scope_for(user)
    condition = Q(pk__in=[])
    for role in (Role.OFFICER, Role.DEPARTMENT_HEAD):
        for path in scope.paths_for(role):
            condition |= Q(role=role, case__organisation__path__startswith=path)
    acted = CaseStep.objects.filter(case=OuterRef("case"), actor=user.pk if scope.user_id else None)
    return (
        CaseStep.objects.filter(condition, ended_at__isnull=True, case__status=CaseStatus.IN_REVIEW)
        .exclude(kind=StepKind.NOTICE)
        .exclude(Exists(acted))
        .select_related("case", "case__policy", "case__enterprise", "assignee")
        .order_by("due_date", "started_at", "id")
    )


def award_notices(*, today: dt.date | None = None) -> QuerySet[Case]:
    """公示: cases whose award is under public notice today, for anyone."""
    today = today or timezone.localdate()
    return (
        Case.objects.filter(
            status=CaseStatus.IN_REVIEW,
            steps__kind=StepKind.NOTICE,
            steps__ended_at__isnull=True,
            notice_until__gte=today,
        )
        .select_related("policy", "enterprise", "organisation")
        .order_by("notice_until", "id")
        .distinct()
    )

"""Reads of the policy catalogue: what the public sees and what an official may manage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models import Case as DbCase
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.common.errors import NotFound
from qinqing.deadlines.models import Deadline
from qinqing.enterprises.models import Enterprise
from qinqing.integrity.models import RelationDeclaration

from .models import (
    Case,
    CaseMaterial,
    CaseReturn,
    CaseStatus,
    CaseStep,
    Invitation,
    Objection,
    Policy,
    PolicyStatus,
    PolicyVersion,
    StepKind,
)


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


def policies_upcoming(*, today: dt.date | None = None) -> QuerySet[Policy]:
    """Published policies whose window opens later, soonest first: announced to anyone,
    open to nobody yet."""
    today = today or timezone.localdate()
    return (
        Policy.objects.filter(status=PolicyStatus.PUBLISHED, valid_from__gt=today)
        .select_related("department")
        .prefetch_related("versions")
        .order_by("valid_from", "code")
    )


def policy_announced_get(public_id: Any, *, today: dt.date | None = None) -> Policy:
    """A published policy in force or opening later (what the public pages show); one to
    apply under is `policy_public_get`."""
    today = today or timezone.localdate()
    policy = (
        Policy.objects.filter(status=PolicyStatus.PUBLISHED, valid_until__gte=today, public_id=public_id)
        .select_related("department")
        .prefetch_related("versions")
        .first()
    )
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


# The columns of a "my cases" row (`enterprise_cases_listed`), by position.
LISTED_COLUMNS = (
    "public_id",
    "reference",
    "status",
    "award",
    "paid_at",
    "policy__title",
    "enterprise__name",
    "listed_count",
    "listed_received",
)


def enterprise_cases_listed(user: Any) -> QuerySet[Case, tuple[Any, ...]]:
    """The enterprise user's own cases as tuples of `LISTED_COLUMNS`, newest first: only
    what the "my cases" list shows, each row carrying the totals of the whole list
    (`listed_count`, `listed_received`: the money of paid cases), so that one query gives
    a page and the figures above it, with no model instance built."""
    paid_award = DbCase(When(status=CaseStatus.PAID, then=F("award")), default=Value(Decimal("0.00")))
    return (
        enterprise_cases(user)
        .annotate(
            listed_count=Window(Count("id")),
            listed_received=Window(
                Sum(paid_award, output_field=DecimalField(max_digits=16, decimal_places=2))
            ),
        )
        .values_list(*LISTED_COLUMNS)
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
    return (
        _queue_steps(user)
        .filter(case__status=CaseStatus.IN_REVIEW)
        .select_related("case", "case__policy", "case__enterprise", "assignee")
        # The queue shows none of the wide JSON and text columns: leave them in the table.
        .defer(*_QUEUE_DEFERRED)
        .order_by("due_date", "started_at", "id")
    )


def work_queue_page(user: Any) -> QuerySet[CaseStep]:
    """The work queue with only the columns its page and export show."""
    return work_queue(user).select_related("deadline").only(*_QUEUE_SHOWN)


def work_queue_rows(user: Any) -> QuerySet[CaseStep, tuple[Any, ...]]:
    """The work queue's page as plain tuples of the shown columns, in the order of
    `_QUEUE_SHOWN` (the last five by position below): the same steps and order as
    `work_queue_page`, without building six model instances per row (which cost the page
    more than its SQL).

    The step joins only its case; the policy's title, the enterprise's name, the assignee
    and the pause are one-row subqueries by primary key, so that PostgreSQL plans a
    two-table join instead of weighing the orders of six tables and their indexes
    (planning 1.8 → 0.2 ms; the page's execution the same). They are written as SQL over
    the outer query's table names, which Django uses as the aliases of the step and of
    its case (joined once, by the status filter): `Subquery` expressions cost more to
    build in Django than they save in PostgreSQL (docs/benchmarks.md, "Pages under
    load")."""

    def by_pk(table: str, column: str, key: str, field: Any) -> RawSQL:
        sql = f'(SELECT t."{column}" FROM "{table}" t WHERE t."id" = {key})'  # noqa: S608 - model names
        return RawSQL(sql, (), field)  # noqa: S611 - no value in it

    step, case = CaseStep._meta.db_table, Case._meta.db_table
    return (
        _queue_steps(user)
        .filter(case__status=CaseStatus.IN_REVIEW)
        .order_by("due_date", "started_at", "id")
        .values_list(
            "key",
            "name",
            "started_at",
            "due_date",
            "case__public_id",
            "case__reference",
            by_pk(Policy._meta.db_table, "title", f'"{case}"."policy_id"', CharField()),
            by_pk(Enterprise._meta.db_table, "name", f'"{case}"."enterprise_id"', CharField()),
            by_pk(User._meta.db_table, "username", f'"{step}"."assignee_id"', CharField()),
            by_pk(User._meta.db_table, "display_name", f'"{step}"."assignee_id"', CharField()),
            by_pk(Deadline._meta.db_table, "paused", f'"{step}"."deadline_id"', BooleanField()),
        )
    )


def work_queue_counted(user: Any) -> QuerySet[CaseStep]:
    """The same steps as `work_queue`, for counting: the cases under review are named by
    a subquery on the departments' cases instead of a join, so PostgreSQL counts from
    two covering indexes (`policies_step_queue`, `policies_case_org_status`) without
    reading a row. (For the page itself the join is better: it walks the steps in
    deadline order and stops at 50.)"""
    steps = _queue_steps(user)
    reviewed = Case.objects.filter(
        organisation_id__in=_queue_organisations(user), status=CaseStatus.IN_REVIEW
    ).values("id")
    return steps.filter(case__in=reviewed).order_by()


def _queue_organisations(user: Any) -> list[int]:
    """The organisations of the subtrees where the user is an officer or a department head."""
    return sorted({pk for ids in _queue_roles(user).values() for pk in ids})


def _queue_roles(user: Any) -> dict[str, list[int]]:
    """Per role (officer, department head), the organisations of the user's subtrees
    (resolved by the request's scope)."""
    scope = scope_for(user)
    return {role: list(scope.unit_ids(role)) for role in (Role.OFFICER, Role.DEPARTMENT_HEAD)}


def _queue_steps(user: Any) -> QuerySet[CaseStep]:
    # The subtrees resolved to their organisations first: the steps carry their case's
    # organisation, so the queue reads `policies_step_queue` (organisation, due date)
    # instead of matching every case's path.
    scope = scope_for(user)
    condition = Q(pk__in=[])
    for role, ids in _queue_roles(user).items():
        if ids:
            condition |= Q(role=role, organisation_id__in=ids)
    me = user.pk if scope.user_id else None
    acted = CaseStep.objects.filter(case=OuterRef("case"), actor=me)
    steps = (
        CaseStep.objects.filter(
            condition, organisation_id__in=_queue_organisations(user), ended_at__isnull=True
        )
        .exclude(kind=StepKind.NOTICE)
        .exclude(Exists(acted))
    )
    barred = _barred_cases(user, me)
    return steps.exclude(case_id__in=barred) if barred else steps


def _barred_cases(user: Any, user_id: int | None) -> list[int]:
    """Cases four eyes and recusal bar the user from besides the steps they took (as
    `services.cases.step_refusal` applies them): those they returned at another, now
    ended, step, decided an objection on, or whose enterprise they declared a relation
    to. Read first, in one statement (usually empty): as subqueries of the queue they
    turned PostgreSQL from walking the queue's index in deadline order to sorting it."""
    if user_id is None:
        return []
    # Kept on the request's user object, as the scope is: the queue's count and its page
    # both ask.
    cached = getattr(user, "_qinqing_barred_cases", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    returned = (
        CaseReturn.objects.filter(requested_by=user_id, step__ended_at__isnull=False)
        .order_by()
        .values_list("case_id")
    )
    handled = Objection.objects.filter(handled_by=user_id).order_by().values_list("case_id")
    related = (
        Case.objects.filter(
            enterprise_id__in=RelationDeclaration.objects.filter(
                official=user_id, ended_at__isnull=True
            ).values("enterprise_id")
        )
        .order_by()
        .values_list("id")
    )
    barred = sorted({pk for (pk,) in returned.union(handled, related)})
    user._qinqing_barred_cases = barred
    return barred


_QUEUE_DEFERRED = (
    "case__explanation",
    "case__facts",
    "case__steps_plan",
    "case__policy__materials",
    "case__policy__steps",
    "case__policy__basis_text",
    "case__policy__summary",
)
_QUEUE_SHOWN = (
    "key",
    "name",
    "started_at",
    "due_date",
    "case__public_id",
    "case__reference",
    "case__policy__title",
    "case__enterprise__name",
    "assignee__username",
    "assignee__display_name",
    "deadline__paused",
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


# --- The officials' pages -------------------------------------------------------------------


def department_cases(
    user: Any, *, status: str = "", policy_public_id: Any = None, reference: str = ""
) -> QuerySet[Case]:
    """Every case of the user's departments (any status), newest first, filtered."""
    qs = cases_visible(user).order_by("-submitted_at", "-id")
    if policy_public_id:
        qs = qs.filter(policy__public_id=policy_public_id)
    if reference:
        qs = qs.filter(reference__icontains=reference.strip())
    if status:
        qs = qs.filter(status=status)
    return qs


def case_status_counts(queryset: QuerySet[Case]) -> dict[str, int]:
    """How many cases per status in `queryset` (one grouped query)."""
    rows = queryset.order_by().values_list("status").annotate(n=Count("id"))
    return dict(rows)


def case_for_official(user: Any, public_id: Any) -> Case:
    """One case with everything its page shows, prefetched (a fixed number of queries)."""
    access_case_by_public_id(user, public_id)
    return (
        cases_visible(user)
        .select_related("version", "enterprise__region", "applicant")
        .prefetch_related(
            "enterprise__labels",
            Prefetch(
                "steps",
                queryset=CaseStep.objects.select_related("actor", "assignee", "deadline").prefetch_related(
                    "deadline__pauses"
                ),
            ),
            "materials",
            Prefetch("returns", queryset=CaseReturn.objects.select_related("requested_by", "step")),
            Prefetch(
                "objections", queryset=Objection.objects.select_related("lodged_by", "handled_by", "assignee")
            ),
        )
        .get(public_id=public_id)
    )


def policy_versions(policy: Policy) -> list[PolicyVersion]:
    return list(policy.versions.select_related("created_by").order_by("-number"))


# --- For the API: one record in scope, with what its page needs -----------------------------


def _case_related(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("version", "organisation", "applicant").prefetch_related(
        Prefetch(
            "steps",
            queryset=CaseStep.objects.select_related("actor", "assignee").order_by("position", "attempt"),
        ),
        Prefetch("materials", queryset=CaseMaterial.objects.order_by("key", "uploaded_at", "id")),
        Prefetch(
            "returns", queryset=CaseReturn.objects.select_related("step").order_by("requested_at", "id")
        ),
        Prefetch(
            "objections",
            queryset=Objection.objects.select_related("lodged_by", "handled_by").order_by("lodged_at", "id"),
        ),
    )


def enterprise_case_get(user: Any, public_id: Any) -> Case:
    """One of the enterprise user's own cases, with its steps, materials, returns and
    objections; NotFound for anyone else's (officials read through `official_case_get`)."""
    case = _case_related(enterprise_cases(user)).filter(public_id=public_id).first()
    if case is None:
        raise NotFound()
    return case


def official_case_get(user: Any, public_id: Any) -> Case:
    """One case for the officials and supervisors in whose reach it lies, with everything;
    NotFound for enterprise users (their view hides officials' names) and admins."""
    if not scope_for(user).is_government:
        raise NotFound()
    case = _case_related(cases_visible(user)).filter(public_id=public_id).first()
    if case is None:
        raise NotFound()
    return case


def access_material_by_public_id(case: Case, public_id: Any) -> CaseMaterial:
    """A material of a case the caller already got through an access selector."""
    material = CaseMaterial.objects.filter(case=case, public_id=public_id).first()
    if material is None:
        raise NotFound()
    return material


def access_objection_by_public_id(user: Any, public_id: Any) -> Objection:
    """An objection to a case the user may read (officials decide through the services)."""
    if not scope_for(user).is_government:
        raise NotFound()
    objection = (
        Objection.objects.filter(case__in=cases_visible(user), public_id=public_id)
        .select_related("case", "case__organisation", "case__policy", "case__enterprise")
        .first()
    )
    if objection is None:
        raise NotFound()
    return objection


def policy_for_matching(user: Any, public_id: Any) -> Policy:
    """A policy of a department where the user is an officer or its head: they run the
    matching (an administrator configures policies but does not invite enterprises)."""
    paths = scope_for(user).paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(department__path__startswith=path)
    policy = (
        Policy.objects.filter(condition, public_id=public_id)
        .select_related("department")
        .prefetch_related("versions")
        .first()
    )
    if policy is None:
        raise NotFound()
    return policy


def award_notice_get(public_id: Any, *, today: dt.date | None = None) -> Case:
    case = award_notices(today=today).filter(public_id=public_id).first()
    if case is None:
        raise NotFound()
    return case


def open_invitations_and_cases(
    enterprise_ids: list[int],
) -> tuple[dict[tuple[int, int], Invitation], dict[tuple[int, int], Case]]:
    """Per (policy, enterprise): the open invitation and the case holding the slot, if any."""
    invitations = {
        (i.policy_id, i.enterprise_id): i
        for i in Invitation.objects.filter(enterprise_id__in=enterprise_ids, status="open")
    }
    cases = {
        (c.policy_id, c.enterprise_id): c
        for c in Case.objects.filter(enterprise_id__in=enterprise_ids)
        .exclude(status=CaseStatus.WITHDRAWN)
        .order_by("submitted_at", "id")
    }
    return invitations, cases


def office_policies(user: Any, *, status: str = "", q: str = "") -> QuerySet[Policy]:
    """The department's policies as the officials' list shows them: `policies_in_scope`
    (every status), most recently changed first, each with `case_count` (its cases in
    any status); `status` one of `PolicyStatus`, `q` a part of the title or the code."""
    cases = (
        Case.objects.filter(policy=OuterRef("pk"))
        .order_by()
        .values("policy")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = policies_in_scope(user).annotate(
        case_count=Coalesce(Subquery(cases, output_field=IntegerField()), Value(0))
    )
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q))
    return qs.order_by("-updated_at", "id")


# --- Objections (异议) ----------------------------------------------------------------------


def objections_visible(user: Any, *, status: str = "open", mine: bool = False) -> QuerySet[Objection]:
    """The objections to the cases a user may read (officials: their departments'; a
    supervisor: those in reach), nearest deadline first; `status` "" for every status,
    `mine` for the ones the user answers for."""
    qs = (
        Objection.objects.filter(case__in=cases_visible(user).values("pk"))
        .select_related("case__policy", "case__enterprise", "assignee", "handled_by", "lodged_by")
        .order_by(F("due_date").asc(nulls_last=True), "lodged_at", "id")
    )
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(assignee=user)
    return qs

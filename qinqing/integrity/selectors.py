"""Reads of declared relations.

The recusal look-ups (`has_relation`, `related_enterprise_ids`, `officials_related_to`)
take plain ids and are one indexed query each: the approval workflow calls them on
every action, so they must stay cheap. They count declarations in force only.

Who reads declarations (`declarations_visible`):

- an official (officer, department head, management committee member): their own;
- a supervisor: those of the officials holding a government role in an organisation
  the supervisor's group supervises (through `qinqing.accounts.scoping`);
- the administrator: all;
- anyone else, enterprise users included: none.
"""

from __future__ import annotations

import uuid
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from qinqing.accounts.models import GOVERNMENT_ROLES, Organisation, Role, RoleAssignment
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.selectors import search_condition
from qinqing.enterprises.validation import strip_unsafe_characters

from .models import RelationDeclaration, RelationKind, RelationState

_GOVERNMENT = sorted(GOVERNMENT_ROLES)


def _in_force() -> QuerySet[RelationDeclaration]:
    return RelationDeclaration.objects.filter(ended_at__isnull=True)


def has_relation(user_id: int, enterprise_id: int) -> bool:
    """Whether the official has a declaration in force towards the enterprise."""
    return _in_force().filter(official_id=user_id, enterprise_id=enterprise_id).exists()


def related_enterprise_ids(user_id: int) -> set[int]:
    """The enterprises the official has a declaration in force towards."""
    return set(_in_force().filter(official_id=user_id).values_list("enterprise_id", flat=True))


def officials_related_to(enterprise_id: int) -> set[int]:
    """The officials (user ids) with a declaration in force towards the enterprise."""
    return set(_in_force().filter(enterprise_id=enterprise_id).values_list("official_id", flat=True))


def is_official(user: Any) -> bool:
    """Whether `user` holds a government role, and so declares relations."""
    return scope_for(user).has_role(*GOVERNMENT_ROLES)


def can_read_supervised(user: Any) -> bool:
    """The supervisor's list (and its export): supervisors and the administrator."""
    scope = scope_for(user)
    return scope.is_supervisor or scope.is_admin


def official_organisation(user: Any) -> Organisation | None:
    """The node an official's records belong to: that of their first government role."""
    assignment = (
        RoleAssignment.objects.filter(user=user, role__in=_GOVERNMENT, organisation__isnull=False)
        .select_related("organisation")
        .order_by("organisation__path", "id")
        .first()
    )
    return assignment.organisation if assignment is not None else None


def _with_related(qs: QuerySet[RelationDeclaration]) -> QuerySet[RelationDeclaration]:
    assignments = (
        RoleAssignment.objects.filter(role__in=_GOVERNMENT)
        .select_related("organisation")
        .order_by("organisation__path", "id")
    )
    return qs.select_related("official", "enterprise").prefetch_related(
        Prefetch("official__role_assignments", queryset=assignments, to_attr="government_assignments")
    )


def declarations_visible(user: Any) -> QuerySet[RelationDeclaration]:
    """Every declaration `user` may read (in force or ended), newest first."""
    scope = scope_for(user)
    qs = RelationDeclaration.objects.all()
    if scope.user_id is None:
        return qs.none()
    if not scope.is_admin:
        condition = Q(pk__in=[])
        if scope.has_role(*GOVERNMENT_ROLES):
            condition |= Q(official_id=scope.user_id)
        supervised = scope.paths_for(Role.SUPERVISOR)
        if supervised:
            in_supervised_org = RoleAssignment.objects.filter(
                reduce(or_, [Q(organisation__path__startswith=p) for p in supervised]),
                user=OuterRef("official"),
                role__in=_GOVERNMENT,
            )
            condition |= Q(Exists(in_supervised_org))
        qs = qs.filter(condition)
    return _with_related(qs)


def declarations_of(user: Any) -> QuerySet[RelationDeclaration]:
    """The official's own declarations, in force first, then the ended ones."""
    if not is_official(user):
        return RelationDeclaration.objects.none()
    return _with_related(RelationDeclaration.objects.filter(official_id=user.pk)).order_by(
        F("ended_at").desc(nulls_first=True), "-declared_at", "-id"
    )


def declarations_filtered(
    user: Any, *, kind: str = "", state: str = "", q: str = ""
) -> QuerySet[RelationDeclaration]:
    """The declarations `user` may read, narrowed by kind, state and a search text that
    matches the enterprise (name, pinyin, credit code) or the official (name, login)."""
    qs = declarations_visible(user)
    if kind in RelationKind.values:
        qs = qs.filter(kind=kind)
    if state == RelationState.IN_FORCE:
        qs = qs.filter(ended_at__isnull=True)
    elif state == RelationState.ENDED:
        qs = qs.filter(ended_at__isnull=False)
    text = " ".join(strip_unsafe_characters(q).split())
    if text:
        enterprises = Enterprise.objects.filter(search_condition(text)).values("pk")
        qs = qs.filter(
            Q(enterprise__in=enterprises)
            | Q(official__display_name__contains=text)
            | Q(official__username__iexact=text)
        )
    return qs


def access_declaration_by_public_id(user: Any, public_id: uuid.UUID | str) -> RelationDeclaration:
    """A declaration `user` may read; NotFound otherwise (also when out of scope)."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    declaration = declarations_visible(user).filter(public_id=key).first()
    if declaration is None:
        raise NotFound
    return declaration


def official_organisation_names(declaration: RelationDeclaration) -> list[str]:
    """Names of the official's government organisations (prefetched by the lists)."""
    assignments = getattr(declaration.official, "government_assignments", None)
    if assignments is None:
        assignments = list(
            RoleAssignment.objects.filter(user_id=declaration.official_id, role__in=_GOVERNMENT)
            .select_related("organisation")
            .order_by("organisation__path", "id")
        )
    names: list[str] = []
    for a in assignments:
        if a.organisation is not None and a.organisation.name not in names:
            names.append(a.organisation.name)
    return names

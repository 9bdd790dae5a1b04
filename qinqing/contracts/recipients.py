"""Who hears of an obligation's alert (see `ladders`).

- reminder and warning: the obligor — the enterprise's users, or the officers and heads
  of the obligor department's subtree;
- alarm: the obligor and the management committee of the project's zone;
- escalation: all of these and the supervisors whose reach covers the committee or the
  obligor department.

While a claim of fulfilment waits for an answer the obligor has done its part: its
rungs still fire on their dates (each once, the trail complete) but are told, instead
of to the obligor, to whoever is to answer — the other side while the claim awaits
confirmation (the committee for the enterprise's obligations, the enterprise's users
for the government's), the committee while a dispute awaits its decision. Alarms and
escalations also reach the committee and the supervisors, as always.

`recipients_batch` answers for many alerts at once with a fixed number of queries
(the scan's notification job calls it once per kind and chunk); `recipients_for_alert`
is the same rule for one alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from django.db.models import Q

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.accounts.scoping import ancestor_paths
from qinqing.deadlines.models import Alert, RungName
from qinqing.deadlines.scan import AlertDirectory, AlertFacts

from .models import Obligation, ObligationStatus, ObligorSide

_URGENT = (RungName.ALARM, RungName.ESCALATION)
_CLAIMED = ObligationStatus.CLAIMED
_DISPUTED = ObligationStatus.DISPUTED


def _answering_committee(side: str, status: str) -> bool:
    """The committee is to answer: a claim of the enterprise's, or any dispute."""
    return status == _DISPUTED or (status == _CLAIMED and side == ObligorSide.ENTERPRISE)


def _by_prefix(role_filter: Q, paths: set[str]) -> list[tuple[str, User]]:
    """Active users holding a role in one of the subtrees of `paths`, with their node's path."""
    if not paths:
        return []
    under = reduce(or_, [Q(organisation__path__startswith=p) for p in sorted(paths)])
    return [
        (a.organisation.path, a.user)
        for a in RoleAssignment.objects.filter(role_filter, under, user__is_active=True)
        .select_related("organisation", "user")
        .order_by("user_id")
        if a.organisation is not None
    ]


def _unique(people: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    out: list[User] = []
    for user in people:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def recipients_batch(facts: Sequence[AlertFacts]) -> dict[int, list[User]]:
    """Who hears of each alert, by alert id."""
    ids = {int(f.object_id) for f in facts if f.object_id.isdigit()}
    rows = {
        pk: (side, enterprise_id, committee_path, department_path, status)
        for pk, side, enterprise_id, committee_path, department_path, status in Obligation.objects.filter(
            pk__in=ids
        ).values_list(
            "pk",
            "obligor_side",
            "project__enterprise_id",
            "project__committee__path",
            "obligor_department__path",
            "status",
        )
    }
    waiting = (_CLAIMED, _DISPUTED)
    # The enterprise's users hear of their own obligations, and answer the government's claims.
    enterprise_ids = {
        row[1]
        for row in rows.values()
        if (row[0] == ObligorSide.ENTERPRISE and row[4] not in waiting)
        or (row[0] == ObligorSide.GOVERNMENT and row[4] == _CLAIMED)
    }
    department_paths = {
        row[3]
        for row in rows.values()
        if row[0] == ObligorSide.GOVERNMENT and row[3] and row[4] not in waiting
    }
    urgent_rows = [
        rows[int(f.object_id)]
        for f in facts
        if int(f.object_id) in rows
        and (f.rung in _URGENT or _answering_committee(rows[int(f.object_id)][0], rows[int(f.object_id)][4]))
    ]

    enterprise_people: dict[int, list[User]] = {}
    if enterprise_ids:
        for a in (
            RoleAssignment.objects.filter(
                role=Role.ENTERPRISE, enterprise_id__in=sorted(enterprise_ids), user__is_active=True
            )
            .select_related("user")
            .order_by("user_id")
        ):
            assert a.enterprise_id is not None
            enterprise_people.setdefault(a.enterprise_id, []).append(a.user)
    officials = _by_prefix(Q(role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD]), department_paths)
    # Committee members of the zone: at the committee's node or above it (who may act on
    # the project), or in a unit under it.
    committee_paths = {row[2] for row in urgent_rows}
    members: list[tuple[str, User]] = []
    if committee_paths:
        near = {a for p in committee_paths for a in ancestor_paths(p)}
        members = [
            (a.organisation.path, a.user)
            for a in RoleAssignment.objects.filter(
                Q(organisation__path__in=sorted(near))
                | reduce(or_, [Q(organisation__path__startswith=p) for p in sorted(committee_paths)]),
                role=Role.COMMITTEE,
                user__is_active=True,
            )
            .select_related("organisation", "user")
            .order_by("user_id")
            if a.organisation is not None
        ]
    directory = AlertDirectory()

    people: dict[int, list[User]] = {}
    for fact in facts:
        row = rows.get(int(fact.object_id)) if fact.object_id.isdigit() else None
        if row is None:
            people[fact.alert_id] = []
            continue
        side, enterprise_id, committee_path, department_path, status = row
        committee = fact.rung in _URGENT or _answering_committee(side, status)
        if status == _CLAIMED and side == ObligorSide.GOVERNMENT:
            found = list(enterprise_people.get(enterprise_id, []))  # to confirm the claim
        elif status in waiting:
            found = []  # the committee answers (below)
        elif side == ObligorSide.ENTERPRISE:
            found = list(enterprise_people.get(enterprise_id, []))
        else:
            found = [u for path, u in officials if department_path and path.startswith(department_path)]
        if committee:
            found += [
                u for path, u in members if committee_path.startswith(path) or path.startswith(committee_path)
            ]
        if fact.rung == RungName.ESCALATION:
            found += directory.supervisors(committee_path)
            if department_path:
                found += directory.supervisors(department_path)
        people[fact.alert_id] = _unique(found)
    return people


def committee_members(committee_path: str) -> list[User]:
    """Active members of the zone's management committee (at its node or above it, or in
    a unit under it)."""
    ids = RoleAssignment.objects.filter(
        Q(organisation__path__in=ancestor_paths(committee_path))
        | Q(organisation__path__startswith=committee_path),
        role=Role.COMMITTEE,
        user__is_active=True,
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def obligor_people(obligation: Obligation) -> list[User]:
    """The enterprise's users, or the officials of the obligor department's subtree."""
    if obligation.obligor_side == ObligorSide.ENTERPRISE:
        condition = Q(role=Role.ENTERPRISE, enterprise_id=obligation.project.enterprise_id)
    else:
        assert obligation.obligor_department is not None
        condition = Q(
            role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD],
            organisation__path__startswith=obligation.obligor_department.path,
        )
    ids = RoleAssignment.objects.filter(condition, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def counterparty_people(obligation: Obligation) -> list[User]:
    """Who confirms or disputes a claim: the committee for the enterprise's obligations,
    the enterprise's users for the government's."""
    if obligation.obligor_side == ObligorSide.ENTERPRISE:
        return committee_members(obligation.project.committee.path)
    ids = RoleAssignment.objects.filter(
        role=Role.ENTERPRISE, enterprise_id=obligation.project.enterprise_id, user__is_active=True
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def supervisors_over(paths: Iterable[str]) -> list[User]:
    """The supervisors whose reach covers any of `paths` (the committee's node, an
    obligor department's), as the escalation finds them."""
    directory = AlertDirectory()
    return _unique(user for path in sorted(set(paths)) for user in directory.supervisors(path))


def recipients_for_alert(alert: Alert) -> list[User]:
    return recipients_batch([AlertFacts.of(alert)]).get(alert.pk, [])


__all__ = [
    "committee_members",
    "counterparty_people",
    "obligor_people",
    "recipients_batch",
    "recipients_for_alert",
    "supervisors_over",
]

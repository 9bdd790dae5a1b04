"""Who sees what. Written once; pages, the API and exports all go through here.

Every record belongs to one organisation node (and possibly one enterprise). A role
held at a node covers that node's subtree:

- enterprise user: only records of the enterprise it is bound to;
- officer, department head: records of their department's subtree;
- committee member: records of the committee's subtree (its zone);
- supervisor: read-only over the nodes its group supervises (a city-wide group or the
  commission itself: the whole city); never writes;
- admin: configuration (organisations, users, calendar, registry), never case records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, Q, QuerySet

from .models import GOVERNMENT_ROLES, Organisation, OrganisationKind, Role, RoleAssignment

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """The places a user may read and write, computed once per request."""

    user_id: int | None
    roles: frozenset[str] = frozenset()
    enterprise_ids: frozenset[int] = frozenset()
    write_paths: tuple[str, ...] = ()
    read_paths: tuple[str, ...] = ()
    is_admin: bool = False
    by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Where the roles are held (the organisations' own paths: a supervision group, not
    # what it supervises), and, for officers and department heads, the ids of every
    # organisation in their subtrees (the work queues filter by organisation id).
    nodes_by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    units_by_role: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def is_supervisor(self) -> bool:
        return Role.SUPERVISOR in self.roles

    @property
    def is_government(self) -> bool:
        return bool(self.roles & GOVERNMENT_ROLES) or self.is_supervisor

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def paths_for(self, *roles: str) -> tuple[str, ...]:
        out: list[str] = []
        for role in roles:
            out.extend(self.by_role.get(role, ()))
        return _minimal_paths(out)

    def nodes_for(self, role: str) -> tuple[str, ...]:
        """The paths of the organisations where the user holds `role`."""
        return self.nodes_by_role.get(role, ())

    def unit_ids(self, *roles: str) -> tuple[int, ...]:
        """The ids of the organisations in the subtrees where the user holds `roles`
        (officer and department head only)."""
        assert set(roles) <= UNIT_ROLES, roles
        out: set[int] = set()
        for role in roles:
            out.update(self.units_by_role.get(role, ()))
        return tuple(sorted(out))

    def covers_path(self, path: str, *, write: bool = False) -> bool:
        paths = self.write_paths if write else self.read_paths
        return any(path.startswith(p) for p in paths)


ANONYMOUS_SCOPE = Scope(user_id=None)


def _minimal_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


# The roles whose subtrees the scope resolves to organisation ids.
UNIT_ROLES = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})

_ORG = Organisation._meta.db_table
_ASSIGNMENTS_SQL = f"""
    SELECT 0, a.role, a.enterprise_id, a.organisation_id, o.path, o.kind, p.path, p.kind, g.path
    FROM {RoleAssignment._meta.db_table} a
    LEFT JOIN {_ORG} o ON o.id = a.organisation_id
    LEFT JOIN {_ORG} p ON p.id = o.parent_id
    LEFT JOIN {_ORG} g ON g.id = p.parent_id
    WHERE a.user_id = %s
    UNION ALL
    SELECT 1, a.role, NULL, d.id, d.path, NULL, NULL, NULL, NULL
    FROM {RoleAssignment._meta.db_table} a
    JOIN {_ORG} o ON o.id = a.organisation_id
    JOIN {_ORG} d ON d.path LIKE o.path || '%%'
    WHERE a.user_id = %s AND a.role IN ({", ".join(f"'{role}'" for role in sorted(UNIT_ROLES))})
"""  # noqa: S608 - table names and role codes from the code, the user's id a parameter


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_qinqing_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    # One hand-written query (two for a supervision group's member) of plain values:
    # every page asks for the scope, and the ORM's model instances and prefetch cost
    # several milliseconds, its query compiler one more (docs/benchmarks.md).
    with connection.cursor() as cursor:
        cursor.execute(_ASSIGNMENTS_SQL, [user.pk, user.pk])
        fetched = cursor.fetchall()
    assignments = [row[1:] for row in fetched if row[0] == 0]
    units_by_role: dict[str, set[int]] = {}
    for _unit, role, _e, unit_id, *_rest in (row for row in fetched if row[0] == 1):
        units_by_role.setdefault(role, set()).add(unit_id)
    groups = [
        a[2] for a in assignments if a[0] == Role.SUPERVISOR and a[4] == OrganisationKind.SUPERVISION_GROUP
    ]
    supervised: dict[int, list[str]] = {}
    if groups:
        links = Organisation.supervised.through.objects.filter(from_organisation_id__in=groups)
        for group_id, path in links.values_list("from_organisation_id", "to_organisation__path"):
            supervised.setdefault(group_id, []).append(path)
    roles: set[str] = set()
    enterprise_ids: set[int] = set()
    by_role: dict[str, list[str]] = {}
    nodes_by_role: dict[str, set[str]] = {}
    for (
        role,
        enterprise_id,
        org_id,
        path,
        kind,
        parent_path,
        parent_kind,
        grand_path,
    ) in assignments:
        roles.add(role)
        if role == Role.ENTERPRISE:
            assert enterprise_id is not None
            enterprise_ids.add(enterprise_id)
            continue
        assert org_id is not None
        nodes_by_role.setdefault(role, set()).add(path)
        if role == Role.SUPERVISOR:
            node = _Node(path, kind, parent_path, parent_kind, grand_path)
            by_role.setdefault(role, []).extend(_supervised_paths(node, supervised.get(org_id, [])))
        else:
            by_role.setdefault(role, []).append(path)
    write = [p for role in GOVERNMENT_ROLES for p in by_role.get(role, [])]
    read = write + by_role.get(Role.SUPERVISOR, [])
    scope = Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        enterprise_ids=frozenset(enterprise_ids),
        write_paths=_minimal_paths(write),
        read_paths=_minimal_paths(read),
        is_admin=Role.ADMIN in roles or bool(user.is_superuser),
        by_role={k: _minimal_paths(v) for k, v in by_role.items()},
        nodes_by_role={k: tuple(sorted(v)) for k, v in nodes_by_role.items()},
        units_by_role={k: tuple(sorted(v)) for k, v in units_by_role.items()},
    )
    user._qinqing_scope = scope
    return scope


@dataclass(frozen=True)
class _Node:
    """A supervisor's organisation as the scope needs it: its path and kind, its
    parent's path and kind, its grandparent's path (None where there is none)."""

    path: str
    kind: str
    parent_path: str | None
    parent_kind: str | None
    grandparent_path: str | None


def _supervised_paths(node: _Node, supervised: list[str]) -> list[str]:
    """A supervisor's reach: its group's supervised nodes; a group with none listed,
    or the commission itself, covers the commission's parent (the whole city or county)."""
    path, kind, parent_path = node.path, node.kind, node.parent_path
    if kind == OrganisationKind.SUPERVISION_GROUP:
        if supervised:
            return sorted(supervised)
        if node.parent_path is not None:
            # The group's commission stands in for the group.
            path, kind, parent_path = node.parent_path, node.parent_kind or "", node.grandparent_path
    if kind == OrganisationKind.COMMISSION and parent_path is not None:
        return [parent_path]
    return [path]


def subtree_q(field: str, paths: Iterable[str]) -> Q:
    """`field` (a materialised path) lies in one of the subtrees rooted at `paths`; an
    empty `paths` matches nothing."""
    qs = [Q(**{f"{field}__startswith": p}) for p in paths]
    return reduce(or_, qs) if qs else Q(pk__in=[])


def ancestor_paths(path: str) -> list[str]:
    """ "/1/5/9/" → ["/1/", "/1/5/", "/1/5/9/"]: the node and every node above it."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def scope_records(
    user: Any,
    queryset: QuerySet[M],
    *,
    organisation_field: str = "organisation",
    enterprise_field: str | None = "enterprise",
    write: bool = False,
) -> QuerySet[M]:
    """Restrict `queryset` of case-like records to what `user` may read (or change).

    `organisation_field` names the record's owning node, `enterprise_field` the
    enterprise it concerns (None when records have no enterprise).
    """
    scope = scope_for(user)
    if scope.user_id is None:
        return queryset.none()
    paths = scope.write_paths if write else scope.read_paths
    condition = subtree_q(f"{organisation_field}__path", paths)
    if enterprise_field is not None and scope.enterprise_ids:
        condition |= Q(**{f"{enterprise_field}__in": sorted(scope.enterprise_ids)})
    return queryset.filter(condition)


def scope_organisations(user: Any, queryset: QuerySet[Organisation] | None = None) -> QuerySet[Organisation]:
    """Organisation nodes a user sees: an admin or a government user sees the whole
    tree (it is public structure); others see none."""
    qs = queryset if queryset is not None else Organisation.objects.all()
    scope = scope_for(user)
    if scope.is_admin or scope.is_government:
        return qs
    return qs.none()

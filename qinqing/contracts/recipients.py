"""Who hears of an obligation's alert (see `ladders`)."""

from __future__ import annotations

from django.db.models import Q

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.deadlines.models import Alert, RungName
from qinqing.deadlines.scan import supervisors_covering

from .models import Obligation, ObligorSide


def _obligor_people(obligation: Obligation) -> list[User]:
    if obligation.obligor_side == ObligorSide.ENTERPRISE:
        condition = Q(role=Role.ENTERPRISE, enterprise_id=obligation.project.enterprise_id)
    else:
        assert obligation.obligor_department is not None
        path = obligation.obligor_department.path
        condition = Q(
            role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD],
            organisation__path__startswith=path,
        )
    return _users(condition)


def _committee_people(obligation: Obligation) -> list[User]:
    return _users(Q(role=Role.COMMITTEE, organisation__path__startswith=obligation.project.committee.path))


def _users(condition: Q) -> list[User]:
    ids = RoleAssignment.objects.filter(condition, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def recipients_for_alert(alert: Alert) -> list[User]:
    obligation = (
        Obligation.objects.select_related("project__committee", "obligor_department")
        .filter(pk=alert.deadline.object_id)
        .first()
    )
    if obligation is None:
        return []
    people = _obligor_people(obligation)
    if alert.rung in (RungName.ALARM, RungName.ESCALATION):
        people += _committee_people(obligation)
    if alert.rung == RungName.ESCALATION:
        people += supervisors_covering(obligation.project.committee.path)
        if obligation.obligor_department is not None:
            people += supervisors_covering(obligation.obligor_department.path)
    seen: set[int] = set()
    unique: list[User] = []
    for user in people:
        if user.pk not in seen:
            seen.add(user.pk)
            unique.append(user)
    return unique

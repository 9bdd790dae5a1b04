"""The ladder of a problem's time limit (kind `ledger.problem`), and the two stage clocks
of the commission's own steps (`ledger.dispatch`, `ledger.visit`: a warning on the due
date, an alarm the working day after, to the commission or group that holds the stage).

Counted in working days, as the time limits are: a reminder two working days before the
due date and a warning on it go to the responsible department (its officers and heads,
the department and units under it); an alarm the working day after also to the
supervising group (组长督整改); an escalation five working days after also to every
supervisor whose reach covers the department (the commission). An admin may replace
the rungs on the deadlines' ladder page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qinqing.deadlines.ladders import Rung, register_ladder
from qinqing.deadlines.models import RungName
from qinqing.workdays.calendar import DayUnit

if TYPE_CHECKING:
    from qinqing.accounts.models import User
    from qinqing.deadlines.models import Alert
    from qinqing.deadlines.scan import AlertFacts

KIND = "ledger.problem"
OBJECT_TYPE = "ledger.problem"
# The clocks of the two stages that are the commission's, not the department's: a
# registered problem waiting to be assigned (kept on the commission that received it),
# and a verified one waiting for its return visit (kept on the group that verified it).
DISPATCH_KIND = "ledger.dispatch"
VISIT_KIND = "ledger.visit"

_URGENT = (RungName.ALARM, RungName.ESCALATION)


def _unique(people: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    out: list[User] = []
    for user in people:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def recipients_batch(facts: Sequence[AlertFacts]) -> Mapping[int, Sequence[User]]:
    """Who hears of each alert, by alert id, in a fixed number of queries."""
    from qinqing.accounts.models import Role, RoleAssignment
    from qinqing.contracts.recipients import _by_prefix
    from qinqing.deadlines.scan import AlertDirectory

    from .models import Problem

    ids = {int(f.object_id) for f in facts if f.object_id.isdigit()}
    rows = {
        pk: (department_path, group_id)
        for pk, department_path, group_id in Problem.objects.filter(pk__in=ids).values_list(
            "pk", "organisation__path", "supervising_group_id"
        )
    }
    officials = _by_prefix(
        Q(role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD]), {path for path, _group in rows.values()}
    )
    group_ids = {
        rows[int(f.object_id)][1]
        for f in facts
        if f.rung in _URGENT and f.object_id.isdigit() and int(f.object_id) in rows
    } - {None}
    group_people: dict[int, list[User]] = {}
    for a in (
        RoleAssignment.objects.filter(
            role=Role.SUPERVISOR, organisation_id__in=sorted(group_ids), user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    ):
        assert a.organisation_id is not None
        group_people.setdefault(a.organisation_id, []).append(a.user)
    directory = AlertDirectory()
    people: dict[int, list[User]] = {}
    for fact in facts:
        row = rows.get(int(fact.object_id)) if fact.object_id.isdigit() else None
        if row is None:
            people[fact.alert_id] = []
            continue
        department_path, group_id = row
        found = [u for path, u in officials if path.startswith(department_path)]
        if fact.rung in _URGENT and group_id is not None:
            found += group_people.get(group_id, [])
        if fact.rung == RungName.ESCALATION:
            found += directory.supervisors(department_path)
        people[fact.alert_id] = _unique(found)
    return people


def recipients_for_alert(alert: Alert) -> Iterable[User]:
    from qinqing.deadlines.scan import AlertFacts

    facts = AlertFacts.of(alert)
    return recipients_batch([facts]).get(facts.alert_id, [])


def stage_recipients(alert: Alert) -> Iterable[User]:
    """A stage clock's alert: the supervisors of the deadline's organisation (the
    commission that received the problem, or the group that verifies it); an alarm also
    goes to every supervisor whose reach covers it."""
    from qinqing.accounts.models import Role, RoleAssignment
    from qinqing.deadlines.scan import supervisors_covering

    organisation = alert.deadline.organisation
    people = [
        a.user
        for a in RoleAssignment.objects.filter(
            role=Role.SUPERVISOR, organisation=organisation, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    ]
    if alert.rung in _URGENT:
        people += supervisors_covering(organisation.path)
    return _unique(people)


def register() -> None:
    work = DayUnit.WORKING
    for kind, label in (
        (DISPATCH_KIND, _("Problem waiting to be assigned")),
        (VISIT_KIND, _("Return visit of a verified problem")),
    ):
        register_ladder(
            kind,
            label=label,
            rungs=[Rung(RungName.WARNING, 0, work), Rung(RungName.ALARM, 1, work)],
            recipients=stage_recipients,
            clock_unit=work,
        )
    register_ladder(
        KIND,
        label=_("Problem rectification"),
        rungs=[
            Rung(RungName.REMINDER, -2, work),
            Rung(RungName.WARNING, 0, work),
            Rung(RungName.ALARM, 1, work),
            Rung(RungName.ESCALATION, 5, work),
        ],
        recipients=recipients_for_alert,
        recipients_batch=recipients_batch,
        clock_unit=work,
    )


__all__ = ["DISPATCH_KIND", "KIND", "OBJECT_TYPE", "VISIT_KIND", "recipients_batch", "register"]

"""The approval step's ladder: a warning to the step's owner before the deadline, an
alarm to the department's supervision group once it is overdue.

Offsets are the defaults; an admin changes them on the ladders page (a LadderOverride
for the kind), and the change re-ladders open steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Role, RoleAssignment
from qinqing.accounts.scoping import scope_for
from qinqing.deadlines.ladders import Rung, register_ladder
from qinqing.deadlines.models import RungName
from qinqing.workdays.calendar import DayUnit

if TYPE_CHECKING:
    from qinqing.accounts.models import User
    from qinqing.deadlines.models import Alert

STEP_DEADLINE_KIND = "policy_step"


def supervisors_of(path: str) -> list[User]:
    """Supervisors whose reach covers the organisation at `path` (its 派驻 group, and the
    commission's city-wide staff)."""
    people = {
        a.user_id: a.user
        for a in RoleAssignment.objects.filter(role=Role.SUPERVISOR, user__is_active=True).select_related(
            "user"
        )
    }
    return [
        user
        for user in people.values()
        if any(path.startswith(p) for p in scope_for(user).paths_for(Role.SUPERVISOR))
    ]


def step_alert_recipients(alert: Alert) -> Iterable[User]:
    from qinqing.deadlines.scan import default_recipients

    people = list(default_recipients(alert))
    if alert.rung in (RungName.ALARM, RungName.ESCALATION):
        organisation = alert.deadline.organisation
        people += [u for u in supervisors_of(organisation.path) if u not in people]
    return people


def register() -> None:
    register_ladder(
        STEP_DEADLINE_KIND,
        label=_("Policy approval step"),
        rungs=[
            Rung(RungName.WARNING, -1, DayUnit.WORKING),
            Rung(RungName.ALARM, 1, DayUnit.WORKING),
        ],
        recipients=step_alert_recipients,
    )

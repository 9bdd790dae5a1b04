"""The ladders of the approval step and of an objection (异议): a warning to its owner
before the deadline, an alarm to the department's supervision group once it is overdue.

Offsets are the defaults; an admin changes them on the ladders page (a LadderOverride
for the kind), and the change re-ladders open steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from qinqing.deadlines.ladders import Rung, register_ladder
from qinqing.deadlines.models import RungName
from qinqing.workdays.calendar import DayUnit

if TYPE_CHECKING:
    from qinqing.accounts.models import User
    from qinqing.deadlines.models import Alert

STEP_DEADLINE_KIND = "policy_step"
OBJECTION_DEADLINE_KIND = "policy_objection"


def step_alert_recipients(alert: Alert) -> Iterable[User]:
    from qinqing.deadlines.scan import default_recipients, supervisors_covering

    people = list(default_recipients(alert))
    if alert.rung in (RungName.ALARM, RungName.ESCALATION):
        people += [u for u in supervisors_covering(alert.deadline.organisation.path) if u not in people]
    return people


def register() -> None:
    # A step and an objection climb the same rungs, to the same people.
    for kind, label in (
        (STEP_DEADLINE_KIND, _("Policy approval step")),
        (OBJECTION_DEADLINE_KIND, _("Objection to a policy case")),
    ):
        register_ladder(
            kind,
            label=label,
            rungs=[
                Rung(RungName.WARNING, -1, DayUnit.WORKING),
                Rung(RungName.ALARM, 1, DayUnit.WORKING),
            ],
            recipients=step_alert_recipients,
        )

"""The ladders of the approval step and of an objection (异议): a warning to its owner
before the deadline, an alarm to the department's supervision group once it is overdue.

Offsets are the defaults; an admin changes them on the ladders page (a LadderOverride
for the kind), and the change re-ladders open steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from qinqing.deadlines.ladders import Rung, register_ladder
from qinqing.deadlines.models import RungName
from qinqing.notifications.text import message
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


def _ids(object_ids: Sequence[str]) -> list[int]:
    return [int(i) for i in object_ids if i.isdigit()]


def _step_title(reference: str, key: str, name: str) -> str:
    from qinqing.policies.steps import step_label

    return f"{reference} · {step_label({'key': key, 'name': name})}"


_lazy_step_title = lazy(_step_title, str)


def step_titles(object_ids: Sequence[str]) -> Mapping[str, Promise | str]:
    """A step's deadline named "ZC… · Acceptance" in the reader's language (the title
    stored when it opened keeps the opener's)."""
    from qinqing.policies.models import CaseStep

    rows: Any = CaseStep.objects.filter(pk__in=_ids(object_ids)).values_list(
        "pk", "case__reference", "key", "name"
    )
    return {str(pk): _lazy_step_title(reference, key, name) for pk, reference, key, name in rows}


def objection_titles(object_ids: Sequence[str]) -> Mapping[str, Promise | str]:
    from qinqing.policies.models import Objection

    rows: Any = Objection.objects.filter(pk__in=_ids(object_ids)).values_list("pk", "case__reference")
    return {
        str(pk): message(_("Objection to case %(reference)s"), reference=reference) for pk, reference in rows
    }


def register() -> None:
    # A step and an objection climb the same rungs, to the same people.
    for kind, label, titles in (
        (STEP_DEADLINE_KIND, _("Policy approval step"), step_titles),
        (OBJECTION_DEADLINE_KIND, _("Objection to a policy case"), objection_titles),
    ):
        register_ladder(
            kind,
            label=label,
            rungs=[
                Rung(RungName.WARNING, -1, DayUnit.WORKING),
                Rung(RungName.ALARM, 1, DayUnit.WORKING),
            ],
            recipients=step_alert_recipients,
            titles=titles,
        )

"""The ladders of contract obligations, one per kind (`contract.<kind>`).

Defaults per kind: the enterprise's long-running commitments (investment, construction,
production, targets) are reminded a month ahead; the government's approvals count in
working days, as the rules that bind them do. A clause may carry its own ladder
(`Clause.ladder`), which the obligation's deadline then uses instead; an admin may
replace a kind's ladder on the deadlines' ladder page.

Who hears what (`recipients`): reminders and warnings go to the obligor (the enterprise's
users, or the officers and heads of the obligor department's subtree); an alarm also to
the zone's management committee; an escalation also to the supervisors covering the
committee or the department. While a claim waits for an answer, the obligor is not
reminded: whoever is to answer it is, instead (`recipients`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from qinqing.deadlines.ladders import Rung, register_ladder
from qinqing.deadlines.models import RungName
from qinqing.workdays.calendar import DayUnit

from .models import ObligationKind

if TYPE_CHECKING:
    from qinqing.accounts.models import User
    from qinqing.deadlines.models import Alert
    from qinqing.deadlines.scan import AlertFacts

KIND_PREFIX = "contract."
OBJECT_TYPE = "contracts.obligation"

_CAL = DayUnit.CALENDAR
_WORK = DayUnit.WORKING

# (reminder, warning, alarm, escalation) offsets from the due date, and their unit.
DEFAULT_LADDERS: dict[str, tuple[tuple[int, int, int, int], str]] = {
    ObligationKind.INVESTMENT: ((-30, -7, 1, 15), _CAL),
    ObligationKind.CONSTRUCTION_START: ((-30, -7, 1, 15), _CAL),
    ObligationKind.PRODUCTION_START: ((-30, -7, 1, 15), _CAL),
    ObligationKind.OUTPUT_TARGET: ((-30, -7, 1, 30), _CAL),
    ObligationKind.TAX_TARGET: ((-30, -7, 1, 30), _CAL),
    ObligationKind.LAND_CLEARANCE: ((-20, -5, 1, 10), _CAL),
    ObligationKind.LAND_DELIVERY: ((-20, -5, 1, 10), _CAL),
    ObligationKind.PERMIT: ((-5, -2, 1, 5), _WORK),
    ObligationKind.UTILITY_WATER: ((-5, -2, 1, 5), _WORK),
    ObligationKind.UTILITY_POWER: ((-5, -2, 1, 5), _WORK),
    ObligationKind.SUBSIDY: ((-5, -2, 1, 5), _WORK),
    ObligationKind.OTHER: ((-10, -3, 1, 10), _CAL),
}


def ladder_kind(obligation_kind: str) -> str:
    return f"{KIND_PREFIX}{obligation_kind}"


def obligation_alert_recipients(alert: Alert) -> Iterable[User]:
    from .recipients import recipients_for_alert

    return recipients_for_alert(alert)


def obligation_alert_recipients_batch(facts: Sequence[AlertFacts]) -> Mapping[int, Sequence[User]]:
    from .recipients import recipients_batch

    return recipients_batch(facts)


def register() -> None:
    for kind, ((reminder, warning, alarm, escalation), unit) in DEFAULT_LADDERS.items():
        register_ladder(
            ladder_kind(kind),
            label=ObligationKind(kind).label,
            rungs=[
                Rung(RungName.REMINDER, reminder, unit),
                Rung(RungName.WARNING, warning, unit),
                Rung(RungName.ALARM, alarm, unit),
                Rung(RungName.ESCALATION, escalation, unit),
            ],
            recipients=obligation_alert_recipients,
            recipients_batch=obligation_alert_recipients_batch,
            clock_unit=unit,
        )


__all__ = ["DEFAULT_LADDERS", "KIND_PREFIX", "OBJECT_TYPE", "ladder_kind", "register"]

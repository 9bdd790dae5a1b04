"""Obligations: added from a clause with their due rule, their rule changed, cancelled.

Adding one whose rule already gives a date opens it (and its deadline); one counting
from something that has not happened yet waits, pending, with no ladder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation
from qinqing.common.errors import InvalidTransition, ValidationFailed
from qinqing.deadlines.services import hold_scan_lock

from ..due import MAX_OFFSET_DAYS, MAX_OFFSET_MONTHS, find_cycle
from ..models import (
    Clause,
    DueChangeReason,
    DueMode,
    DueUnit,
    Obligation,
    ObligationKind,
    ObligationStatus,
    ObligorSide,
    ProjectEvent,
)
from .common import (
    audit,
    bump,
    check_revision,
    clean_text,
    close_deadline,
    is_government_department,
    lock_for_obligation,
    lock_project,
    require_committee,
    require_user,
    state,
    transition,
)
from .common import today as current_day
from .missed import missed_contract_date
from .recompute import rule_due_date, set_due_date


@dataclass(frozen=True)
class DueRule:
    mode: str
    due_fixed: dt.date | None = None
    anchor_obligation: Obligation | None = None
    anchor_event: ProjectEvent | None = None
    offset: int = 0
    unit: str = DueUnit.CALENDAR

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "date": self.due_fixed.isoformat() if self.due_fixed else None,
            "anchor_obligation": self.anchor_obligation.pk if self.anchor_obligation else None,
            "anchor_event": self.anchor_event.pk if self.anchor_event else None,
            "offset": self.offset,
            "unit": self.unit,
        }


def _invalid(field: str, message: Any) -> ValidationFailed:
    return ValidationFailed(fields={f"due_rule.{field}": [str(message)]})


def parse_due_rule(value: Any, *, project_id: int) -> DueRule:
    """Check a due rule given as a dict (see the services' docs); ValidationFailed
    naming the field otherwise."""
    if not isinstance(value, dict):
        raise _invalid("mode", _("Give the due rule."))
    mode = value.get("mode")
    if mode == DueMode.ABSOLUTE:
        day = value.get("date")
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise _invalid("date", _("Enter a date."))
        return DueRule(mode=DueMode.ABSOLUTE, due_fixed=day)
    if mode != DueMode.RELATIVE:
        raise _invalid(
            "mode", _("Choose a fixed date or a date counted from another obligation or an event.")
        )
    anchor_obligation = value.get("anchor_obligation")
    anchor_event = value.get("anchor_event")
    if (anchor_obligation is None) == (anchor_event is None):
        raise _invalid("anchor_obligation", _("Count from one obligation or one event."))
    if anchor_obligation is not None and (
        not isinstance(anchor_obligation, Obligation) or anchor_obligation.project_id != project_id
    ):
        raise _invalid("anchor_obligation", _("Count from an obligation of the same project."))
    if anchor_event is not None and (
        not isinstance(anchor_event, ProjectEvent) or anchor_event.project_id != project_id
    ):
        raise _invalid("anchor_event", _("Count from an event of the same project."))
    unit = value.get("unit", DueUnit.CALENDAR)
    if unit not in DueUnit.values:
        raise _invalid("unit", _("Count calendar days, working days or months."))
    offset = value.get("offset", 0)
    limit = MAX_OFFSET_MONTHS if unit == DueUnit.MONTHS else MAX_OFFSET_DAYS
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= limit:
        raise _invalid("offset", _("Enter a whole number from 0 to %(limit)d.") % {"limit": limit})
    return DueRule(
        mode=DueMode.RELATIVE,
        anchor_obligation=anchor_obligation,
        anchor_event=anchor_event,
        offset=offset,
        unit=str(unit),
    )


def _apply_rule(obligation: Obligation, rule: DueRule) -> None:
    obligation.due_mode = rule.mode
    obligation.due_fixed = rule.due_fixed
    obligation.anchor_obligation = rule.anchor_obligation
    obligation.anchor_event = rule.anchor_event
    obligation.offset = rule.offset
    obligation.offset_unit = rule.unit


def _refuse_cycle(obligation: Obligation, rule: DueRule) -> None:
    if rule.anchor_obligation is None:
        return
    if rule.anchor_obligation.pk == obligation.pk:
        raise _invalid("anchor_obligation", _("An obligation cannot count from itself."))
    anchor_of = dict(
        Obligation.objects.filter(project_id=obligation.project_id).values_list("pk", "anchor_obligation_id")
    )
    anchor_of[obligation.pk] = rule.anchor_obligation.pk
    if find_cycle(obligation.pk, anchor_of):
        raise _invalid("anchor_obligation", _("These obligations would count from each other in a circle."))


def _target(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={"target_value": [str(_("Enter a number."))]}) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e16"):
        raise ValidationFailed(fields={"target_value": [str(_("Enter a target above zero."))]})
    return amount


def obligation_add(
    *,
    actor: Any,
    clause: Clause,
    obligor_side: str,
    kind: str,
    title: str,
    due_rule: dict[str, Any],
    obligor_department: Organisation | None = None,
    target_value: Decimal | int | str | None = None,
    target_unit: str = "",
    description: str = "",
) -> Obligation:
    user = require_user(actor)
    if obligor_side not in ObligorSide.values:
        raise ValidationFailed(fields={"obligor_side": [str(_("Choose the enterprise or the government."))]})
    if obligor_side == ObligorSide.GOVERNMENT:
        if not is_government_department(obligor_department):
            raise ValidationFailed(
                fields={"obligor_department": [str(_("Name the government department that owes it."))]}
            )
    elif obligor_department is not None:
        raise ValidationFailed(
            fields={"obligor_department": [str(_("The enterprise's obligations name no department."))]}
        )
    if kind not in ObligationKind.values:
        raise ValidationFailed(fields={"kind": [str(_("Choose a listed kind of obligation."))]})
    title = clean_text(title, "title", limit=200)
    description = clean_text(description, "description", required=False, limit=10000)
    target = _target(target_value)
    target_unit = clean_text(target_unit, "target_unit", required=False, limit=20)
    project_id = clause.contract.project_id
    rule = parse_due_rule(due_rule, project_id=project_id)
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project = lock_project(project_id)
        require_committee(user, project)
        obligation = Obligation(
            project=project,
            clause=clause,
            obligor_side=obligor_side,
            obligor_department=obligor_department if obligor_side == ObligorSide.GOVERNMENT else None,
            kind=kind,
            title=title,
            description=description,
            target_value=target,
            target_unit=target_unit,
            position=Obligation.objects.filter(project=project).count(),
            status=ObligationStatus.PENDING,
        )
        _apply_rule(obligation, rule)
        obligation.save()
        audit(
            actor=user,
            action="obligation.add",
            obj=obligation,
            project=project,
            after={
                "clause": clause.pk,
                "obligor_side": obligor_side,
                "obligor_department": obligation.obligor_department_id,
                "kind": kind,
                "title": title,
                "target_value": target,
                "target_unit": target_unit,
                "due_rule": rule.as_json(),
            },
        )
        set_due_date(
            actor=user,
            obligation=obligation,
            new_date=rule_due_date(obligation),
            reason=DueChangeReason.FIRST_DATED,
        )
    return obligation


_RULE_CHANGEABLE = frozenset(
    {ObligationStatus.PENDING, ObligationStatus.OPEN, ObligationStatus.CLAIMED, ObligationStatus.DISPUTED}
)


def obligation_change_rule(
    *,
    actor: Any,
    obligation: Obligation,
    due_rule: dict[str, Any],
    reason: str,
    revision: int | None = None,
    today: dt.date | None = None,
) -> Obligation:
    """A new due rule (a supplementary agreement, a corrected clause): the due date is
    recomputed, and the ladder restarts when it moves. Refused when it would move the
    contract's date of an obligation already late (`today` past it): a plan does that."""
    user = require_user(actor)
    reason = clean_text(reason, "reason", limit=500)
    rule = parse_due_rule(due_rule, project_id=obligation.project_id)
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, locked = lock_for_obligation(obligation.pk)
        require_committee(user, project)
        check_revision(locked, revision)
        if locked.status not in _RULE_CHANGEABLE or locked.met_on is not None:
            raise InvalidTransition(
                _("The due rule of a met or cancelled obligation cannot change."),
                extra={"status": locked.status},
            )
        _refuse_cycle(locked, rule)
        before = {**state(locked), "due_rule": _rule_of(locked)}
        _apply_rule(locked, rule)
        new_date = rule_due_date(locked)
        if new_date is None and locked.due_date is not None:
            raise _invalid(
                "anchor_obligation" if rule.anchor_obligation else "anchor_event",
                _("A dated obligation cannot count from something that has not happened yet."),
            )
        _refuse_erasing_a_miss(locked, new_date, today or current_day())
        locked.save(
            update_fields=[
                "due_mode",
                "due_fixed",
                "anchor_obligation",
                "anchor_event",
                "offset",
                "offset_unit",
                "updated_at",
            ]
        )
        if not set_due_date(
            actor=user, obligation=locked, new_date=new_date, reason=DueChangeReason.RULE_CHANGED, note=reason
        ):
            bump(locked)
        audit(
            actor=user,
            action="obligation.change_rule",
            obj=locked,
            project=project,
            before=before,
            after={**state(locked), "due_rule": rule.as_json(), "reason": reason},
        )
    return locked


def _refuse_erasing_a_miss(obligation: Obligation, new_date: dt.date | None, today: dt.date) -> None:
    """Once the contract's date has passed unmet, lateness is a fact judged by that date:
    a rule edit moving it would erase the miss (and not count as rescheduling). A later
    date comes through a remedy plan, which keeps the contract's date."""
    missed_on = missed_contract_date(obligation, today)
    if missed_on is None or new_date == missed_on:
        return
    raise InvalidTransition(
        _(
            "This obligation was due on %(date)s under the contract and is late: a change of its "
            "due rule cannot move that date. A new date comes through a remedy plan (cause, remedy, "
            "new date) accepted by the committee; the contract's date and the lateness stay on record."
        )
        % {"date": missed_on.isoformat()},
        extra={"status": obligation.status, "original_due_date": missed_on.isoformat()},
    )


def _rule_of(obligation: Obligation) -> dict[str, Any]:
    return {
        "mode": obligation.due_mode,
        "date": obligation.due_fixed.isoformat() if obligation.due_fixed else None,
        "anchor_obligation": obligation.anchor_obligation_id,
        "anchor_event": obligation.anchor_event_id,
        "offset": obligation.offset,
        "unit": obligation.offset_unit,
    }


def obligation_cancel(
    *, actor: Any, obligation: Obligation, reason: str, revision: int | None = None
) -> Obligation:
    """The committee drops an obligation (the clause was renegotiated away): its ladder
    stops. Pending, open and partly met obligations only."""
    user = require_user(actor)
    reason = clean_text(reason, "reason", limit=500)
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, locked = lock_for_obligation(obligation.pk)
        require_committee(user, project)
        check_revision(locked, revision)
        before = state(locked)
        transition(locked, ObligationStatus.CANCELLED)
        close_deadline(user, locked, cancelled=True, reason=reason)
        bump(locked, "status")
        audit(
            actor=user,
            action="obligation.cancel",
            obj=locked,
            project=project,
            before=before,
            after={**state(locked), "reason": reason},
        )
    return locked


__all__ = [
    "DueRule",
    "missed_contract_date",
    "obligation_add",
    "obligation_cancel",
    "obligation_change_rule",
    "parse_due_rule",
]

"""Remedy plans: the obligor's answer to an overdue obligation's alarm (cause, remedy,
new date), accepted or rejected by the committee.

Accepting moves the due date to the plan's date (the original stays beside it) and
restarts the ladder for it; rejecting leaves the alarm open until a better plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import Conflict, InvalidTransition, ValidationFailed
from qinqing.deadlines.services import hold_scan_lock

from ..models import DueChangeReason, Obligation, PlanStatus, Project, RemedyPlan
from . import notices
from .common import (
    OWED_STATUSES,
    audit,
    bump,
    check_revision,
    clean_text,
    lock_for_obligation,
    lock_plan,
    require_committee,
    require_obligor,
    require_user,
    state,
)
from .common import today as current_day
from .recompute import set_due_date


def _plan_state(plan: RemedyPlan) -> dict[str, Any]:
    return {
        "plan": plan.pk,
        "plan_status": plan.status,
        "plan_due_date": plan.due_date,
        "proposed_date": plan.proposed_date,
    }


def plan_submit(
    *,
    actor: Any,
    obligation: Obligation,
    cause: str,
    remedy: str,
    proposed_date: dt.date,
    revision: int | None = None,
    today: dt.date | None = None,
) -> RemedyPlan:
    """The obligor of an overdue obligation says why, what it does about it and by when."""
    user = require_user(actor)
    on = today or current_day()
    cause = clean_text(cause, "cause")
    remedy = clean_text(remedy, "remedy")
    if isinstance(proposed_date, dt.datetime) or not isinstance(proposed_date, dt.date):
        raise ValidationFailed(fields={"proposed_date": [str(_("Enter a date."))]})
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, locked = lock_for_obligation(obligation.pk)
        require_obligor(user, locked)
        check_revision(locked, revision)
        if (
            locked.status not in OWED_STATUSES
            or locked.met_on is not None
            or locked.due_date is None
            or locked.due_date >= on
        ):
            raise InvalidTransition(
                _("A remedy plan answers an overdue obligation; this one is not overdue."),
                code="not_overdue",
                extra={"status": locked.status},
            )
        if proposed_date <= locked.due_date or proposed_date < on:
            raise ValidationFailed(
                fields={"proposed_date": [str(_("Propose a new date after the due date, not in the past."))]}
            )
        if RemedyPlan.objects.filter(obligation=locked, status=PlanStatus.SUBMITTED).exists():
            raise Conflict(_("A remedy plan is already awaiting the committee."), code="plan_awaiting")
        before = state(locked)
        try:
            with transaction.atomic():
                plan = RemedyPlan.objects.create(
                    obligation=locked,
                    due_date=locked.due_date,
                    cause=cause,
                    remedy=remedy,
                    proposed_date=proposed_date,
                    submitted_by=user,
                    submitted_at=timezone.now(),
                )
        except IntegrityError:
            raise Conflict(
                _("A remedy plan is already awaiting the committee."), code="plan_awaiting"
            ) from None
        bump(locked)
        audit(
            actor=user,
            action="plan.submit",
            obj=locked,
            project=project,
            before=before,
            after={**state(locked), **_plan_state(plan), "cause": cause, "remedy": remedy},
        )
        notices.plan_submitted(locked, plan)
    return plan


def _lock_plan_and_obligation(plan: RemedyPlan) -> tuple[Project, Obligation, RemedyPlan]:
    project, obligation = lock_for_obligation(plan.obligation_id)
    locked = lock_plan(plan.pk)
    locked.obligation = obligation
    return project, obligation, locked


def plan_decide(
    *, actor: Any, plan: RemedyPlan, accept: bool, reason: str = "", revision: int | None = None
) -> RemedyPlan:
    """Accept (the due date moves to the plan's date) or reject (with a reason: the
    alarm is open again)."""
    user = require_user(actor)
    reason = clean_text(reason, "reason", required=not accept)
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, obligation, locked = _lock_plan_and_obligation(plan)
        require_committee(user, project)
        check_revision(obligation, revision)
        if locked.status != PlanStatus.SUBMITTED:
            raise InvalidTransition(
                _("This remedy plan has already been decided."), extra={"plan_status": locked.status}
            )
        before = {**state(obligation), **_plan_state(locked)}
        if accept:
            if obligation.status not in OWED_STATUSES or obligation.met_on is not None:
                raise InvalidTransition(
                    _("The obligation is no longer owed; the plan can only be rejected."),
                    extra={"status": obligation.status},
                )
            if obligation.due_date != locked.due_date:
                raise Conflict(
                    _("The due date changed since the plan was made; reject it and ask for a new one."),
                    code="plan_outdated",
                )
        locked.status = PlanStatus.ACCEPTED if accept else PlanStatus.REJECTED
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
        if not (
            accept
            and set_due_date(
                actor=user,
                obligation=obligation,
                new_date=locked.proposed_date,
                reason=DueChangeReason.PLAN_ACCEPTED,
                note=reason,
            )
        ):
            bump(obligation)
        audit(
            actor=user,
            action="plan.accept" if accept else "plan.reject",
            obj=obligation,
            project=project,
            before=before,
            after={**state(obligation), **_plan_state(locked), "reason": reason},
        )
        notices.plan_decided(obligation, locked, accepted=accept)
    return locked


__all__ = ["plan_decide", "plan_submit"]

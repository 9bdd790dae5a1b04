"""Fulfilment claimed with evidence, confirmed or disputed by the other side, a dispute
decided by the committee (four eyes: not by whoever answered the claim).

A confirmed claim settles the obligation as met (no target, or the target reached) or
partly met (below its target), records how many days early (or, negative, late) it
was met against the contract's due date (not a remedy plan's), closes its deadline and
dates what counts from it. Settling a partly met obligation on another day moves what
counts from it; a contract's date already missed moves only with a reason, on record
(`missed`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.deadlines.services import hold_scan_lock
from qinqing.policies.uploads import CheckedFile, check_upload, store

from ..models import (
    CLAIM_TRANSITIONS,
    ClaimEvidence,
    ClaimOutcome,
    ClaimStatus,
    FulfilmentClaim,
    Obligation,
    ObligationStatus,
    Project,
)
from . import notices
from .common import (
    audit,
    bump,
    check_revision,
    clean_text,
    close_deadline,
    is_committee_for,
    lock_claim,
    lock_for_obligation,
    reopen_status,
    require_committee,
    require_counterparty,
    require_obligor,
    require_user,
    state,
    transition,
)
from .common import today as current_day
from .missed import Move, missed_dates, moved_misses, moves_extra, moves_in_words, record_moves
from .recompute import recompute_dependents

EVIDENCE_TYPES = ["pdf", "png", "jpg"]
MAX_FILES = 10


def _achieved(value: Any, obligation: Obligation) -> Decimal | None:
    if value is None or value == "":
        if obligation.target_value is not None:
            raise ValidationFailed(
                fields={"achieved_value": [str(_("Say how much of the target was reached."))]}
            )
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={"achieved_value": [str(_("Enter a number."))]}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e16"):
        raise ValidationFailed(fields={"achieved_value": [str(_("Enter an amount of zero or more."))]})
    return amount


def _check_files(files: Any) -> list[CheckedFile]:
    uploads = list(files or [])
    if not uploads:
        raise ValidationFailed(fields={"files": [str(_("Attach at least one document as evidence."))]})
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(fields={"files": [str(_("At most %(count)d files.") % {"count": MAX_FILES})]})
    checked: list[CheckedFile] = []
    for upload in uploads:
        checked.append(
            check_upload(
                upload, name=getattr(upload, "name", "") or "", accepted=EVIDENCE_TYPES, field="files"
            )
        )
    return checked


def _transition_claim(claim: FulfilmentClaim, target: str) -> None:
    if target not in CLAIM_TRANSITIONS.get(claim.status, frozenset()):
        raise InvalidTransition(
            _("A claim cannot go from “%(current)s” to “%(target)s”.")
            % {"current": claim.get_status_display(), "target": ClaimStatus(target).label},
            extra={"claim_status": claim.status, "target": str(target)},
        )
    claim.status = target


def _claim_state(claim: FulfilmentClaim) -> dict[str, Any]:
    return {"claim": claim.pk, "claim_status": claim.status, "outcome": claim.outcome}


def obligation_claim(
    *,
    actor: Any,
    obligation: Obligation,
    met_on: dt.date,
    achieved_value: Decimal | int | str | None = None,
    note: str = "",
    files: list[IO[bytes]] | None = None,
    revision: int | None = None,
    today: dt.date | None = None,
) -> FulfilmentClaim:
    """The obligor says it is done, with evidence (PDF, PNG or JPEG, checked by content)."""
    user = require_user(actor)
    on = today or current_day()
    if isinstance(met_on, dt.datetime) or not isinstance(met_on, dt.date):
        raise ValidationFailed(fields={"met_on": [str(_("Enter a date."))]})
    if met_on > on:
        raise ValidationFailed(fields={"met_on": [str(_("An obligation cannot be met in the future."))]})
    note = clean_text(note, "note", required=False)
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, locked = lock_for_obligation(obligation.pk)
        require_obligor(user, locked)
        check_revision(locked, revision)
        if locked.status not in (ObligationStatus.OPEN, ObligationStatus.PARTLY_MET):
            raise InvalidTransition(
                _("Only an open or partly met obligation can be claimed; this one is “%(status)s”.")
                % {"status": locked.get_status_display()},
                extra={"status": locked.status},
            )
        amount = _achieved(achieved_value, locked)
        checked = _check_files(files)
        before = state(locked)
        transition(locked, ObligationStatus.CLAIMED)
        now = timezone.now()
        try:
            with transaction.atomic():
                claim = FulfilmentClaim.objects.create(
                    obligation=locked,
                    met_on=met_on,
                    achieved_value=amount,
                    note=note,
                    claimed_by=user,
                    claimed_at=now,
                )
        except IntegrityError:
            raise Conflict(
                _("A claim of this obligation is already awaiting an answer."), code="claim_in_play"
            ) from None
        for item in checked:
            # A rollback leaves the stored file behind, unreferenced: harmless, never served.
            ClaimEvidence.objects.create(
                claim=claim,
                original_name=item.original_name,
                stored_name=store(item),
                content_type=item.content_type,
                size=len(item.data),
                sha256=item.sha256,
                uploaded_by=user,
            )
        bump(locked, "status")
        audit(
            actor=user,
            action="obligation.claim",
            obj=locked,
            project=project,
            before=before,
            after={
                **state(locked),
                **_claim_state(claim),
                "claim_met_on": met_on,
                "claim_achieved_value": amount,
                "evidence": [item.sha256 for item in checked],
            },
        )
        notices.claim_made(locked, claim)
    return claim


def _lock_claim_and_obligation(claim: FulfilmentClaim) -> tuple[Project, Obligation, FulfilmentClaim]:
    project, obligation = lock_for_obligation(claim.obligation_id)
    locked = lock_claim(claim.pk)
    locked.obligation = obligation
    return project, obligation, locked


def claim_withdraw(*, actor: Any, claim: FulfilmentClaim, revision: int | None = None) -> FulfilmentClaim:
    """The obligor's side takes its claim back before it is answered."""
    user = require_user(actor)
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, obligation, locked = _lock_claim_and_obligation(claim)
        require_obligor(user, obligation)
        check_revision(obligation, revision)
        before = state(obligation)
        _transition_claim(locked, ClaimStatus.WITHDRAWN)
        transition(obligation, reopen_status(obligation))
        locked.save(update_fields=["status", "updated_at"])
        bump(obligation, "status")
        audit(
            actor=user,
            action="claim.withdraw",
            obj=obligation,
            project=project,
            before=before,
            after={**state(obligation), **_claim_state(locked)},
        )
    return locked


def _settle(
    actor: Any,
    project: Project,
    obligation: Obligation,
    claim: FulfilmentClaim,
    outcome: str,
    *,
    reason: str,
    today: dt.date,
) -> None:
    """The obligation met (or partly met) as the claim says; its ladder closes and what
    counts from it gets its date.

    A partly met obligation already counts as a starting point from its earlier met
    date: a claim settling it on another day moves the dates counted from it. When one
    of those had passed unmet, the move needs a `reason` (refused with code
    `reason_required` otherwise, nothing saved) and is kept as a `MissedDateMove`, as a
    corrected event's is (`missed`)."""
    previous_met_on = obligation.met_on
    transition(obligation, outcome)
    obligation.met_on = claim.met_on
    obligation.achieved_value = claim.achieved_value
    # Judged against the contract's date: a remedy plan's later date does not make a
    # late fulfilment timely.
    basis = obligation.original_due_date or obligation.due_date
    assert basis is not None
    obligation.days_early = (basis - claim.met_on).days
    close_deadline(actor, obligation, reason=str(outcome))
    bump(obligation, "status", "met_on", "achieved_value", "days_early")
    if previous_met_on == obligation.met_on:
        return
    missed = missed_dates(project, today)
    changed = recompute_dependents(actor=actor, project=project, obligations=[obligation.pk])
    moves = moved_misses(changed, missed)
    if not moves:
        return
    if not reason:
        # Raised inside the transaction: the claim's answer and every date roll back.
        raise _reason_needed(obligation, claim, moves)
    record_moves(
        actor=actor,
        project=project,
        moves=moves,
        reason=reason,
        anchor_before=previous_met_on,
        anchor_after=claim.met_on,
        claim=claim,
    )


def _reason_needed(obligation: Obligation, claim: FulfilmentClaim, moves: list[Move]) -> ValidationFailed:
    message = _(
        "Confirming that “%(title)s” was met on %(date)s moves the contract's due date of "
        "obligations already missed that count from it (%(moves)s). Give the reason: it is kept "
        "on each of them and counted on the dashboards, and the committee and the supervisors "
        "are told."
    ) % {"title": obligation.title, "date": claim.met_on.isoformat(), "moves": moves_in_words(moves)}
    return ValidationFailed(
        message, code="reason_required", fields={"reason": [message]}, extra=moves_extra(moves)
    )


def claim_outcome(obligation: Obligation, claim: FulfilmentClaim) -> str:
    """Met when there is no target or it is reached; otherwise partly met."""
    if obligation.target_value is None:
        return ClaimOutcome.MET
    if claim.achieved_value is not None and claim.achieved_value >= obligation.target_value:
        return ClaimOutcome.MET
    return ClaimOutcome.PARTLY_MET


def claim_confirm(
    *,
    actor: Any,
    claim: FulfilmentClaim,
    revision: int | None = None,
    reason: str = "",
    today: dt.date | None = None,
) -> FulfilmentClaim:
    """The other side accepts the claim. `reason` is needed only when settling the
    obligation on that day moves a contract's date already missed (see `_settle`)."""
    user = require_user(actor)
    reason = clean_text(reason, "reason", required=False, limit=500)
    day = today or current_day()
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, obligation, locked = _lock_claim_and_obligation(claim)
        require_counterparty(user, obligation)
        check_revision(obligation, revision)
        before = state(obligation)
        _transition_claim(locked, ClaimStatus.CONFIRMED)
        outcome = claim_outcome(obligation, locked)
        locked.outcome = outcome
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "answered_by", "answered_at", "updated_at"])
        _settle(user, project, obligation, locked, outcome, reason=reason, today=day)
        audit(
            actor=user,
            action="claim.confirm",
            obj=obligation,
            project=project,
            before=before,
            after={
                **state(obligation),
                **_claim_state(locked),
                "days_early": obligation.days_early,
                **({"reason": reason} if reason else {}),
            },
        )
        notices.claim_answered(obligation, locked)
    return locked


def claim_dispute(
    *, actor: Any, claim: FulfilmentClaim, reason: str, revision: int | None = None
) -> FulfilmentClaim:
    """The other side does not accept the claim: the committee decides."""
    user = require_user(actor)
    reason = clean_text(reason, "reason")
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, obligation, locked = _lock_claim_and_obligation(claim)
        require_counterparty(user, obligation)
        check_revision(obligation, revision)
        before = state(obligation)
        _transition_claim(locked, ClaimStatus.DISPUTED)
        transition(obligation, ObligationStatus.DISPUTED)
        locked.dispute_reason = reason
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "dispute_reason", "answered_by", "answered_at", "updated_at"])
        bump(obligation, "status")
        audit(
            actor=user,
            action="claim.dispute",
            obj=obligation,
            project=project,
            before=before,
            after={**state(obligation), **_claim_state(locked), "reason": reason},
        )
        notices.claim_disputed(obligation, locked)
    return locked


def can_decide(user: Any, claim: FulfilmentClaim, project: Project) -> bool:
    return is_committee_for(user, project) and getattr(user, "pk", None) not in (
        claim.answered_by_id,
        claim.claimed_by_id,
    )


def claim_decide(
    *,
    actor: Any,
    claim: FulfilmentClaim,
    outcome: str,
    reason: str,
    revision: int | None = None,
    today: dt.date | None = None,
) -> FulfilmentClaim:
    """The committee settles a dispute: met, partly met, or not met (owed again). The
    decision's reason is also the reason kept when settling the obligation moves a
    contract's date already missed (see `_settle`)."""
    user = require_user(actor)
    if outcome not in ClaimOutcome.values:
        raise ValidationFailed(fields={"outcome": [str(_("Choose met, partly met or not met."))]})
    reason = clean_text(reason, "reason")
    day = today or current_day()
    with transaction.atomic(durable=True):
        hold_scan_lock()
        project, obligation, locked = _lock_claim_and_obligation(claim)
        require_committee(user, project)
        if not can_decide(user, locked, project):
            raise PermissionDenied(
                _("A dispute is decided by a committee member who did not answer the claim."),
                code="four_eyes",
            )
        check_revision(obligation, revision)
        before = state(obligation)
        _transition_claim(locked, ClaimStatus.DECIDED)
        locked.outcome = outcome
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save(
            update_fields=["status", "outcome", "decided_by", "decided_at", "decision_reason", "updated_at"]
        )
        if outcome == ClaimOutcome.NOT_MET:
            transition(obligation, reopen_status(obligation))
            bump(obligation, "status")
        else:
            _settle(user, project, obligation, locked, outcome, reason=reason, today=day)
        audit(
            actor=user,
            action="claim.decide",
            obj=obligation,
            project=project,
            before=before,
            after={**state(obligation), **_claim_state(locked), "reason": reason},
        )
        notices.claim_answered(obligation, locked)
    return locked


__all__ = [
    "EVIDENCE_TYPES",
    "can_decide",
    "claim_confirm",
    "claim_decide",
    "claim_dispute",
    "claim_outcome",
    "claim_withdraw",
    "obligation_claim",
]

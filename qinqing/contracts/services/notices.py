"""Telling the other side of the loop: a claim to answer, a dispute to decide, a
remedy plan to decide, and the answers; and telling the committee and the supervisors
when contract dates already missed moved (a corrected event, a settled claim) or were
kept through a change of the working-day calendar. Written in the transaction
of the change (the notifications app joins it), keyed by record and step so a repeat
tells nobody twice.

Everything waits for the recipients' daily digest, except a rejected remedy plan (the
alarm is open again, so the obligor sees it in the inbox at once) and missed contract
dates moved or kept (a lateness on record is at stake: those who watch it see it at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop, pgettext

from qinqing.accounts.models import User
from qinqing.notifications.services import notify

from ..models import (
    FulfilmentClaim,
    MissedDateKept,
    MissedDateMove,
    Obligation,
    Project,
    ProjectEvent,
    RemedyPlan,
)
from ..recipients import committee_members, counterparty_people, obligor_people, supervisors_over
from .common import obligation_url

CLAIMED = gettext_noop("Fulfilment to confirm: %(title)s")
CLAIMED_BODY = gettext_noop(
    "%(project)s: “%(title)s” is claimed as met on %(met_on)s. Confirm it or dispute it."
)
DISPUTED = gettext_noop("Fulfilment disputed: %(title)s")
DISPUTED_BODY = gettext_noop(
    "%(project)s: the claim that “%(title)s” was met is disputed: %(reason)s. "
    "A committee member who did not answer the claim decides."
)
CONFIRMED = gettext_noop("Fulfilment confirmed: %(title)s")
CONFIRMED_BODY = gettext_noop("%(project)s: your claim that “%(title)s” was met is confirmed.")
DECIDED = gettext_noop("Dispute decided: %(title)s")
DECIDED_BODY = gettext_noop("%(project)s: the committee decided the dispute over “%(title)s”: %(reason)s")
PLAN_SUBMITTED = gettext_noop("Remedy plan to decide: %(title)s")
PLAN_SUBMITTED_BODY = gettext_noop(
    "%(project)s: a remedy plan for the overdue “%(title)s” proposes %(date)s as the new date."
)
PLAN_ACCEPTED = gettext_noop("Remedy plan accepted: %(title)s")
PLAN_ACCEPTED_BODY = gettext_noop("%(project)s: “%(title)s” is now due on %(date)s.")
PLAN_REJECTED = gettext_noop("Remedy plan rejected: %(title)s")
PLAN_REJECTED_BODY = gettext_noop(
    "%(project)s: the remedy plan for “%(title)s” was rejected: %(reason)s. The alarm is open "
    "until a new plan is submitted."
)

MISSED_MOVED = gettext_noop("Contract dates moved after a miss: %(project)s")
MISSED_MOVED_BODY = gettext_noop(
    "%(project)s: %(who)s corrected the date of “%(event)s” from %(before)s to %(after)s, which "
    "moved the contract's due dates of obligations already missed: %(moves)s. Reason given: %(reason)s"
)
MISSED_MOVED_BY_CLAIM_BODY = gettext_noop(
    "%(project)s: %(who)s settled a claim that “%(anchor)s” was met on %(after)s instead of "
    "%(before)s, which moved the contract's due dates of obligations already missed that count "
    "from it: %(moves)s. Reason given: %(reason)s"
)
MISSED_MOVE = gettext_noop("“%(title)s”: %(old)s → %(new)s")

MISSED_KEPT_SUBJECT = gettext_noop("Missed contract dates kept after a calendar change: %(project)s")
MISSED_KEPT_BODY = gettext_noop(
    "%(project)s: the working-day calendar of %(years)s changed, and the due rules of obligations "
    "already missed now give other dates: %(kept)s. The missed dates stay the contract's: the "
    "miss stays on record and lateness is still judged by them."
)
MISSED_KEPT = gettext_noop("“%(title)s”: %(old)s kept (the calendar now gives %(new)s)")


def _render(template: str, params: dict[str, Any]) -> str:
    return gettext(template) % {key: str(value) for key, value in params.items()}


_lazy_render = lazy(_render, str)


def _tell(
    *,
    people: Sequence[User],
    key: str,
    kind: str,
    obligation: Obligation,
    subject: str,
    body: str,
    at_once: bool = False,
    **params: Any,
) -> None:
    seen: set[int] = set()
    everyone: list[User] = []
    for user in people:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            everyone.append(user)
    if not everyone:
        return
    values = {"title": obligation.title, "project": obligation.project.name, **params}
    notify(
        recipients=everyone,
        event_key=key,
        kind=f"contracts.{kind}",
        subject=_lazy_render(subject, values),
        body=_lazy_render(body, values),
        url=obligation_url(obligation),
        digest=not at_once,
    )


def _without(people: Sequence[User], *skip: Any) -> list[User]:
    ids = {getattr(u, "pk", None) for u in skip}
    return [u for u in people if u.pk not in ids]


def claim_made(obligation: Obligation, claim: FulfilmentClaim) -> None:
    _tell(
        people=counterparty_people(obligation),
        key=f"contracts.claim:{claim.pk}:made",
        kind="claim",
        obligation=obligation,
        subject=CLAIMED,
        body=CLAIMED_BODY,
        met_on=claim.met_on.isoformat(),
    )


def claim_disputed(obligation: Obligation, claim: FulfilmentClaim) -> None:
    deciders = _without(committee_members(obligation.project.committee.path), claim.answered_by)
    _tell(
        people=[*deciders, claim.claimed_by],
        key=f"contracts.claim:{claim.pk}:disputed",
        kind="dispute",
        obligation=obligation,
        subject=DISPUTED,
        body=DISPUTED_BODY,
        reason=claim.dispute_reason,
    )


def claim_answered(obligation: Obligation, claim: FulfilmentClaim) -> None:
    decided = bool(claim.decided_by_id)
    _tell(
        people=[claim.claimed_by],
        key=f"contracts.claim:{claim.pk}:{'decided' if decided else 'confirmed'}",
        kind="decision" if decided else "confirmation",
        obligation=obligation,
        subject=DECIDED if decided else CONFIRMED,
        body=DECIDED_BODY if decided else CONFIRMED_BODY,
        reason=claim.decision_reason,
    )


def plan_submitted(obligation: Obligation, plan: RemedyPlan) -> None:
    _tell(
        people=committee_members(obligation.project.committee.path),
        key=f"contracts.plan:{plan.pk}:submitted",
        kind="plan",
        obligation=obligation,
        subject=PLAN_SUBMITTED,
        body=PLAN_SUBMITTED_BODY,
        date=plan.proposed_date.isoformat(),
    )


def plan_decided(obligation: Obligation, plan: RemedyPlan, *, accepted: bool) -> None:
    _tell(
        people=[plan.submitted_by, *obligor_people(obligation)] if not accepted else [plan.submitted_by],
        key=f"contracts.plan:{plan.pk}:{'accepted' if accepted else 'rejected'}",
        kind="plan_decision",
        obligation=obligation,
        subject=PLAN_ACCEPTED if accepted else PLAN_REJECTED,
        body=PLAN_ACCEPTED_BODY if accepted else PLAN_REJECTED_BODY,
        at_once=not accepted,
        date=plan.proposed_date.isoformat(),
        reason=plan.decision_reason,
    )


def moves_in_words(moves: Sequence[tuple[str, str, str]]) -> str:
    """“title”: missed date → new date; … in the active language."""
    return pgettext("list separator", "; ").join(
        gettext(MISSED_MOVE) % {"title": title, "old": old, "new": new} for title, old, new in moves
    )


_lazy_moves = lazy(moves_in_words, str)


def _project_url(project: Project) -> str:
    return reverse("contracts:project", args=[project.public_id])


def _watchers(project: Project, obligations: Sequence[Obligation], actor: User | None) -> list[User]:
    """The zone's committee and the supervisors whose reach covers the committee or an
    obligor department (as an escalation reaches them), not the one who acted."""
    paths = [project.committee.path]
    paths += [o.obligor_department.path for o in obligations if o.obligor_department]
    people = [*committee_members(project.committee.path), *supervisors_over(paths)]
    if actor is not None:
        people = _without(people, actor)
    everyone: dict[int, User] = {}
    for user in people:
        everyone.setdefault(user.pk, user)
    return list(everyone.values())


def missed_dates_moved(
    *,
    project: Project,
    moves: Sequence[MissedDateMove],
    actor: User,
    event: ProjectEvent | None = None,
    claim: FulfilmentClaim | None = None,
) -> None:
    """One message per action (an event's date corrected, a claim settled) that moved
    contract dates already missed, to those who watch lateness."""
    if not moves:
        return
    everyone = _watchers(project, [m.obligation for m in moves], actor)
    if not everyone:
        return
    first = moves[0]
    values = {
        "project": project.name,
        "who": str(actor),
        "before": first.anchor_old_date.isoformat() if first.anchor_old_date else "—",
        "after": first.anchor_new_date.isoformat(),
        "moves": _lazy_moves(
            [(m.obligation.title, m.old_date.isoformat(), m.new_date.isoformat()) for m in moves]
        ),
        "reason": first.reason,
    }
    if event is not None:
        key = f"contracts.event:{event.pk}:missed_moved:{first.pk}"
        body = MISSED_MOVED_BODY
        values["event"] = event.label
    else:
        assert claim is not None
        key = f"contracts.claim:{claim.pk}:missed_moved:{first.pk}"
        body = MISSED_MOVED_BY_CLAIM_BODY
        values["anchor"] = claim.obligation.title
    notify(
        recipients=everyone,
        event_key=key,
        kind="contracts.missed_date_moved",
        subject=_lazy_render(MISSED_MOVED, values),
        body=_lazy_render(body, values),
        url=obligation_url(first.obligation) if len(moves) == 1 else _project_url(project),
        digest=False,
    )


def _kept_in_words(kept: Sequence[tuple[str, str, str]]) -> str:
    return pgettext("list separator", "; ").join(
        gettext(MISSED_KEPT) % {"title": title, "old": old, "new": new} for title, old, new in kept
    )


_lazy_kept = lazy(_kept_in_words, str)


def missed_dates_kept(*, project: Project, kept: Sequence[MissedDateKept]) -> None:
    """One message per project and calendar change that met missed dates (the records
    are new only once, so a repeated job tells nobody again)."""
    if not kept:
        return
    everyone = _watchers(project, [k.obligation for k in kept], None)
    if not everyone:
        return
    first = kept[0]
    values = {
        "project": project.name,
        "years": first.years,
        "kept": _lazy_kept(
            [(k.obligation.title, k.missed_date.isoformat(), k.calendar_date.isoformat()) for k in kept]
        ),
    }
    notify(
        recipients=everyone,
        event_key=f"contracts.project:{project.pk}:missed_kept:{first.pk}",
        kind="contracts.missed_date_kept",
        subject=_lazy_render(MISSED_KEPT_SUBJECT, values),
        body=_lazy_render(MISSED_KEPT_BODY, values),
        url=obligation_url(first.obligation) if len(kept) == 1 else _project_url(project),
        digest=False,
    )


__all__ = [
    "claim_answered",
    "claim_disputed",
    "claim_made",
    "missed_dates_kept",
    "missed_dates_moved",
    "moves_in_words",
    "plan_decided",
    "plan_submitted",
]

"""Telling people what happened to a problem. Written in the transaction of the change,
keyed by problem, step and revision, so a repeat tells nobody twice.

The department hears of a new assignment and of a send-back; the supervising group of
a submission and of a withdrawal the department asks for; the reporter of the
verification (the return visit is theirs to answer) and of the end. What needs someone
at once goes to the inbox at once; the rest waits for the daily digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.notifications.services import notify

from ..models import Problem
from .common import problem_url

REGISTERED = gettext_noop("New problem to assign: %(ref)s %(title)s")
REGISTERED_BODY = gettext_noop("A problem came in through “%(channel)s” and waits to be assigned.")
ASSIGNED = gettext_noop("Problem assigned to your department: %(ref)s %(title)s")
ASSIGNED_BODY = gettext_noop("Fix it by %(due)s and submit the evidence.")
SUBMITTED = gettext_noop("Rectification to verify: %(ref)s %(title)s")
SUBMITTED_BODY = gettext_noop("The department says it is fixed. Verify it or send it back.")
SENT_BACK = gettext_noop("Rectification sent back: %(ref)s %(title)s")
SENT_BACK_BODY = gettext_noop("The supervising group sent it back: %(reason)s")
VERIFIED = gettext_noop("Is it really fixed? %(ref)s %(title)s")
VERIFIED_BODY = gettext_noop(
    "The problem you reported was verified as fixed. Tell us whether it really is, and score the work."
)
REOPENED = gettext_noop("Problem reopened: %(ref)s %(title)s")
REOPENED_BODY = gettext_noop("It is not fixed: %(reason)s. Fix it by %(due)s.")
WITHDRAWAL = gettext_noop("Withdrawal to check: %(ref)s %(title)s")
WITHDRAWAL_BODY = gettext_noop(
    "The department, not the reporter, asks to withdraw this problem: %(reason)s. Call the reporter back before it is withdrawn."
)
ENDED = gettext_noop("Your problem %(ref)s: %(status)s")
ENDED_BODY = gettext_noop("%(title)s — %(status)s. %(reason)s")


def _render(template: str, params: dict[str, Any]) -> str:
    return gettext(template) % {key: str(value) for key, value in params.items()}


_lazy_render = lazy(_render, str)


def department_people(path: str) -> list[User]:
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD],
            organisation__path__startswith=path,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    ]


def supervisors_at(org_id: int | None) -> list[User]:
    if org_id is None:
        return []
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role=Role.SUPERVISOR, organisation_id=org_id, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    ]


def reporter_people(problem: Problem) -> list[User]:
    people: list[User] = []
    if problem.reporter_user_id is not None and problem.reporter_user is not None:
        people.append(problem.reporter_user)
    return people


def _tell(
    people: Iterable[User | None],
    *,
    problem: Problem,
    step: str,
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
    values = {"ref": problem.reference or problem.pk, "title": problem.title, **params}
    notify(
        recipients=everyone,
        event_key=f"ledger.problem:{problem.pk}:{step}:{problem.revision}",
        kind=f"ledger.{step}",
        subject=_lazy_render(subject, values),
        body=_lazy_render(body, values),
        url=problem_url(problem),
        urgent=at_once,
        digest=not at_once,
        # A later step settles the calls to act on an earlier one ("is it really fixed?").
        supersedes=f"ledger.problem:{problem.pk}:",
    )


def problem_registered(problem: Problem) -> None:
    if problem.status != "registered":
        return
    _tell(
        supervisors_at(problem.intake_id),
        problem=problem,
        step="registered",
        subject=REGISTERED,
        body=REGISTERED_BODY,
        channel=problem.get_channel_display(),
    )


def problem_assigned(problem: Problem, *, actor: User | None) -> None:
    _tell(
        [u for u in department_people(problem.organisation.path) if actor is None or u.pk != actor.pk],
        problem=problem,
        step="assigned",
        subject=ASSIGNED,
        body=ASSIGNED_BODY,
        due=problem.due_date.isoformat() if problem.due_date else "",
    )


def problem_submitted(problem: Problem) -> None:
    _tell(
        supervisors_at(problem.supervising_group_id or problem.intake_id),
        problem=problem,
        step="submitted",
        subject=SUBMITTED,
        body=SUBMITTED_BODY,
    )


def problem_sent_back(problem: Problem, reason: str) -> None:
    _tell(
        department_people(problem.organisation.path),
        problem=problem,
        step="sent_back",
        subject=SENT_BACK,
        body=SENT_BACK_BODY,
        at_once=True,
        reason=reason,
    )


def problem_verified(problem: Problem) -> None:
    _tell(
        reporter_people(problem),
        problem=problem,
        step="verified",
        subject=VERIFIED,
        body=VERIFIED_BODY,
        at_once=True,
    )


def problem_reopened(problem: Problem, reason: str) -> None:
    _tell(
        [*department_people(problem.organisation.path), *supervisors_at(problem.supervising_group_id)],
        problem=problem,
        step="reopened",
        subject=REOPENED,
        body=REOPENED_BODY,
        at_once=True,
        reason=reason,
        due=problem.due_date.isoformat() if problem.due_date else "",
    )


def withdrawal_requested(problem: Problem, reason: str) -> None:
    _tell(
        supervisors_at(problem.supervising_group_id or problem.intake_id),
        problem=problem,
        step="withdrawal",
        subject=WITHDRAWAL,
        body=WITHDRAWAL_BODY,
        at_once=True,
        reason=reason,
    )


def problem_ended(problem: Problem, reason: str = "", *, also: Sequence[User] = ()) -> None:
    _tell(
        [*reporter_people(problem), *also],
        problem=problem,
        step="ended",
        subject=ENDED,
        body=ENDED_BODY,
        status=problem.get_status_display(),
        reason=reason,
    )

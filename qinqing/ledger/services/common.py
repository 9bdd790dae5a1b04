"""What every ledger service shares: who may act, the row lock, revisions, the status
machine with its history rows, the audit event, and the problem's deadline.

Locks: the deadlines' scan lock (shared) first, then the problem row; a merge locks the
two problems in id order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.scoping import ancestor_paths, scope_for
from qinqing.audit.services import audit_record
from qinqing.common.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.deadlines.services import (
    deadline_close,
    deadline_move,
    deadline_open,
    deadline_pause,
    deadline_resume,
)
from qinqing.workdays.calendar import add_working_days

from .. import ladders
from ..models import (
    FINAL_STATUSES,
    PROBLEM_TRANSITIONS,
    Problem,
    ProblemStatus,
    ProblemTransition,
    ProblemUpdate,
)

MAX_TEXT = 4000


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate()


def reporter_may_reopen(problem: Any) -> bool:
    """Closed, and its reopening period for the reporter (with an account or the receipt
    code) not over; the supervising group may reopen at any time."""
    return (
        problem.status == ProblemStatus.CLOSED
        and problem.reopen_until is not None
        and today() <= problem.reopen_until
    )


def return_visit_refusal(problem: Any) -> InvalidTransition | None:
    """Why the return visit cannot be answered now, or None while it waits for its answer
    (verified). The reason names what happened since the reporter was asked, since a
    page open for days, a second tab or a second click is how an answer comes too late:
    it was answered already (closed), or the problem was reopened meanwhile."""
    status = problem.status
    if status == ProblemStatus.VERIFIED:
        return None
    if status == ProblemStatus.CLOSED:
        return InvalidTransition(
            _(
                "The return visit was already answered and the problem is closed; this answer was not recorded."
            )
        )
    if status in FINAL_STATUSES:
        return InvalidTransition(
            _(
                "This problem's status is “%(status)s”: no return visit is due, and this answer was not recorded."
            )
            % {"status": problem.get_status_display()}
        )
    if problem.reopen_count:
        return InvalidTransition(
            _(
                "The problem was reopened and is back with the department; this answer was not recorded. "
                "The return visit is asked again once the new fix is verified."
            )
        )
    return InvalidTransition(_("The return visit comes after the supervising group verified the fix."))


def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def immediate_days() -> int:
    """Working days a 立行立改 problem gets."""
    return setting("LEDGER_IMMEDIATE_DAYS", 3)


def reopen_days() -> int:
    """Calendar days after closure during which the reporter may reopen a problem."""
    return setting("LEDGER_REOPEN_DAYS", 30)


# --- who may act -------------------------------------------------------------------------


def require_user(actor: Any) -> User:
    if not isinstance(actor, User) or not actor.is_active:
        raise PermissionDenied()
    return actor


def _supervisor_nodes(user: User) -> tuple[str, ...]:
    """The paths of the nodes where the user holds the supervisor role (the group or
    the commission itself, not what they supervise), from the request's scope."""
    return scope_for(user).nodes_for(Role.SUPERVISOR)


def is_department_for(user: Any, problem: Problem) -> bool:
    """An officer or head whose node covers the responsible department."""
    path = problem.organisation.path
    return any(path.startswith(p) for p in scope_for(user).paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD))


def is_co_department_for(user: Any, problem: Problem) -> bool:
    paths = scope_for(user).paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    if not paths:
        return False
    return any(org.path.startswith(p) for org in problem.co_departments.all() for p in paths)


def is_supervising(user: Any, problem: Problem) -> bool:
    """A member of the supervising group, or of the commission above it (组长督整改).
    Without a group, the commission that received the problem."""
    if not isinstance(user, User) or Role.SUPERVISOR not in scope_for(user).roles:
        return False
    node = problem.supervising_group or problem.intake
    return any(node.path.startswith(p) for p in _supervisor_nodes(user))


def is_dispatcher(user: Any, problem: Problem) -> bool:
    """Who assigns, merges and refers: supervisors whose reach covers the commission
    that received the problem (the commission's own staff, a city-wide group), and the
    supervising group."""
    if is_supervising(user, problem):
        return True
    scope = scope_for(user)
    return any(problem.intake.path.startswith(p) for p in scope.paths_for(Role.SUPERVISOR))


def is_reporter(user: Any, problem: Problem) -> bool:
    if not isinstance(user, User):
        return False
    if problem.reporter_user_id is not None and problem.reporter_user_id == user.pk:
        return True
    return (
        problem.reporter_enterprise_id is not None
        and problem.reporter_user_id is not None
        and problem.reporter_enterprise_id in scope_for(user).enterprise_ids
    )


def judges_as_reporter(user: Any, problem: Problem) -> bool:
    """The reporter answers the return visit and the withdrawal check, reopens and
    withdraws — unless they answer for the problem themselves (a head who found it walking
    the department's own process, an officer who registered the department's own
    finding): a department never withdraws, scores or closes its own work; the
    supervising group calls back for it, and a withdrawal goes through a request."""
    return (
        is_reporter(user, problem)
        and not is_department_for(user, problem)
        and not is_co_department_for(user, problem)
    )


def require_department(user: Any, problem: Problem) -> None:
    if not is_department_for(user, problem):
        raise PermissionDenied(_("Only the responsible department may do this."))


def require_supervising(user: Any, problem: Problem) -> None:
    if not is_supervising(user, problem):
        raise PermissionDenied(_("Only the supervising group may do this."))


def require_dispatcher(user: Any, problem: Problem) -> None:
    if not is_dispatcher(user, problem):
        raise PermissionDenied(_("Only the commission or the supervising group may do this."))


def require_reporter(user: Any, problem: Problem) -> None:
    if not judges_as_reporter(user, problem):
        raise PermissionDenied(_("Only the reporter may do this."))


# --- organisation helpers ----------------------------------------------------------------


def is_department(org: Organisation | None) -> bool:
    return org is not None and org.kind == OrganisationKind.DEPARTMENT


def commission_for(org: Organisation) -> Organisation:
    """The discipline inspection commission nearest above `org` (the county's for a
    county department, the city's otherwise): it receives problems about `org`."""
    paths = ancestor_paths(org.path)
    commissions = {
        c.parent.path if c.parent else "": c
        for c in Organisation.objects.filter(
            kind=OrganisationKind.COMMISSION, parent__path__in=paths
        ).select_related("parent")
    }
    for path in reversed(paths):
        if path in commissions:
            return commissions[path]
    if org.kind == OrganisationKind.COMMISSION:
        return org
    raise ValidationFailed(_("No discipline inspection commission covers this organisation."))


def default_group(department: Organisation) -> Organisation | None:
    """The stationed supervision group that watches the department (or a node above it)."""
    paths = ancestor_paths(department.path)
    groups = list(
        Organisation.objects.filter(
            kind=OrganisationKind.SUPERVISION_GROUP, supervised__path__in=paths
        ).order_by("-supervised__depth", "id")[:1]
    )
    return groups[0] if groups else None


# --- locks and state ---------------------------------------------------------------------


def lock_problem(problem_id: int) -> Problem:
    problem = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("organisation", "intake", "supervising_group")
        .filter(pk=problem_id)
        .first()
    )
    if problem is None:
        raise NotFound()
    return problem


def check_revision(problem: Problem, revision: int | None) -> None:
    """Of two people acting on the same view of a problem, the second is told."""
    if revision is not None and revision != problem.revision:
        raise Conflict(
            _(
                "Someone else acted on this problem while you were looking at it; it is now "
                "“%(status)s”. Reload it to see what changed."
            )
            % {"status": problem.get_status_display()},
            code="problem_changed",
            extra={"revision": problem.revision, "status": problem.status},
        )


def state(problem: Problem) -> dict[str, Any]:
    return {
        "status": problem.status,
        "organisation": problem.organisation_id,
        "due_date": problem.due_date.isoformat() if problem.due_date else None,
        "outcome": problem.outcome,
        "revision": problem.revision,
    }


def move(problem: Problem, target: str, *, actor: User | None, action: str, at: dt.datetime) -> str:
    """Move the status along PROBLEM_TRANSITIONS, or refuse with a clear error; write
    the history row. Returns the status it came from."""
    current = problem.status
    if target not in PROBLEM_TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            _("A problem cannot go from “%(current)s” to “%(target)s”.")
            % {"current": problem.get_status_display(), "target": ProblemStatus(target).label},
            extra={"status": current, "target": str(target)},
        )
    problem.status = target
    record_transition(problem, from_status=current, actor=actor, action=action, at=at)
    stage_clocks(problem, from_status=current, actor=actor, at=at)
    return current


# The commission's stages and their clocks: (ladder kind, setting, default working days,
# the statuses that end the stage as it should end).
STAGES: dict[str, tuple[str, str, int, frozenset[str]]] = {
    ProblemStatus.REGISTERED: (
        ladders.DISPATCH_KIND,
        "LEDGER_DISPATCH_WORKING_DAYS",
        2,
        frozenset({ProblemStatus.ASSIGNED}),
    ),
    ProblemStatus.VERIFIED: (
        ladders.VISIT_KIND,
        "LEDGER_VISIT_WORKING_DAYS",
        5,
        frozenset({ProblemStatus.CLOSED, ProblemStatus.RECTIFYING}),
    ),
}


def stage_clocks(problem: Problem, *, from_status: str, actor: User | None, at: dt.datetime) -> None:
    """A problem entering a stage of the commission's (registered, waiting to be
    assigned; verified, waiting for its return visit) gets that stage's clock, due
    `LEDGER_DISPATCH_WORKING_DAYS` (2) or `LEDGER_VISIT_WORKING_DAYS` (5) working days
    on; leaving it ends the clock (met when it moved on as it should, cancelled when the
    problem left the loop). Called on every status change and at registration."""
    if from_status == problem.status:
        return
    left = STAGES.get(from_status)
    if left is not None:
        kind, _setting, _days, onward = left
        clock = Deadline.objects.filter(
            kind=kind, object_type=ladders.OBJECT_TYPE, object_id=str(problem.pk), status=DeadlineStatus.OPEN
        ).first()
        if clock is not None:
            status = DeadlineStatus.MET if problem.status in onward else DeadlineStatus.CANCELLED
            deadline_close(actor=actor, deadline=clock, status=status, reason=str(problem.status))
    entered = STAGES.get(problem.status)
    if entered is not None:
        kind, setting, days, _onward = entered
        holder = (
            problem.intake
            if problem.status == ProblemStatus.REGISTERED
            else problem.supervising_group or problem.organisation
        )
        deadline_open(
            actor=actor,
            kind=kind,
            object_type=ladders.OBJECT_TYPE,
            object_id=problem.pk,
            organisation=holder,
            due_date=add_working_days(timezone.localdate(at), int(getattr(settings, setting, days))),
            title=f"{problem.reference}：{problem.title}"[:200],
            url=problem_url(problem),
        )


def record_transition(
    problem: Problem, *, from_status: str, actor: User | None, action: str, at: dt.datetime
) -> None:
    ProblemTransition.objects.create(
        problem=problem,
        at=at,
        action=action,
        from_status=from_status,
        to_status=problem.status,
        organisation_id=problem.organisation_id,
        due_date=problem.due_date,
        outcome=problem.outcome,
        category=problem.category,
        severity=problem.severity,
        institutional=problem.institutional,
        actor=actor,
    )


def save(problem: Problem, *fields: str) -> None:
    problem.revision += 1
    problem.save(update_fields=[*fields, "revision", "updated_at"])


def audit(
    *,
    actor: Any,
    action: str,
    problem: Problem,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=f"ledger.{action}",
        obj=problem,
        organisation=problem.organisation_id,
        before=before,
        after=after,
    )


def add_update(
    problem: Problem,
    *,
    kind: str,
    actor: User | None,
    text: str = "",
    public: bool = True,
    at: dt.datetime,
) -> ProblemUpdate:
    return ProblemUpdate.objects.create(
        problem=problem,
        kind=kind,
        author=actor,
        author_label=str(actor) if actor is not None else "",
        text=text,
        public=public,
        at=at,
    )


def clean_text(value: Any, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(fields={field: [str(_("This field is required."))]})
    if len(text) > limit:
        raise ValidationFailed(fields={field: [str(_("At most %(limit)d characters.") % {"limit": limit})]})
    return text


# --- the problem's deadline --------------------------------------------------------------


def problem_url(problem: Problem) -> str:
    try:
        return reverse("ledger:problem", args=[problem.public_id])
    except NoReverseMatch:
        return f"/ledger/problems/{problem.public_id}/"


def due_date_for(*, mode: str, days: int | None, start: dt.date) -> dt.date:
    from ..models import DeadlineMode

    if mode == DeadlineMode.IMMEDIATE:
        return add_working_days(start, immediate_days())
    if days is None or days < 1:
        raise ValidationFailed(
            fields={"deadline_days": [str(_("Give the working days to fix it (1 or more)."))]}
        )
    return add_working_days(start, days)


def open_deadline(*, actor: Any, problem: Problem) -> None:
    assert problem.due_date is not None
    deadline_open(
        actor=actor,
        kind=ladders.KIND,
        object_type=ladders.OBJECT_TYPE,
        object_id=problem.pk,
        organisation=problem.organisation,
        due_date=problem.due_date,
        title=f"{problem.reference}：{problem.title}"[:200],
        url=problem_url(problem),
    )


def open_deadline_of(problem: Problem) -> Deadline | None:
    return Deadline.objects.filter(
        kind=ladders.KIND,
        object_type=ladders.OBJECT_TYPE,
        object_id=str(problem.pk),
        status=DeadlineStatus.OPEN,
    ).first()


def close_deadline(*, actor: Any, problem: Problem, met: bool, reason: str = "") -> None:
    deadline = open_deadline_of(problem)
    if deadline is not None:
        deadline_close(
            actor=actor,
            deadline=deadline,
            status=DeadlineStatus.MET if met else DeadlineStatus.CANCELLED,
            reason=reason,
        )


def pause_deadline(*, actor: Any, problem: Problem, reason: str) -> None:
    deadline = open_deadline_of(problem)
    if deadline is not None and not deadline.paused:
        deadline_pause(actor=actor, deadline=deadline, reason=reason[:500])


def resume_deadline(*, actor: Any, problem: Problem) -> None:
    """Restart the department's clock; the due date moves by the days it stood."""
    deadline = open_deadline_of(problem)
    if deadline is not None and deadline.paused:
        deadline = deadline_resume(actor=actor, deadline=deadline)
        problem.due_date = deadline.due_date


def move_deadline(*, actor: Any, problem: Problem, due_date: dt.date, reason: str) -> None:
    deadline = open_deadline_of(problem)
    if deadline is None:
        open_deadline(actor=actor, problem=problem)
        return
    if deadline.paused:
        deadline = deadline_resume(actor=actor, deadline=deadline)
    if deadline.due_date != due_date:
        deadline_move(actor=actor, deadline=deadline, due_date=due_date, reason=reason or "reassigned")

"""The loop that closes a problem honestly.

registered → assigned (a department, a time limit, a supervising group) → being
rectified (progress) → submitted with evidence → verified by the supervising group (or
sent back with reasons) → return visit (the reporter scores 1–5 and says whether it is
really fixed; "not fixed" reopens it) → closed (销号). Besides: merged into another
problem, referred (cannot be fixed here), withdrawn by the reporter, withdrawal asked by
the department (flagged, and checked by calling the reporter back: 撤单质检), reopened
by the reporter within a set period or by the supervising group.

The department's clock (a deadline on the `ledger.problem` ladder) runs while the
problem is with the department: it stops while a submission or a withdrawal request
waits for the group, restarts on a send-back (the due date moves by the days stopped),
is met on verification, and a reopened problem gets a new one.

Every service runs in one durable transaction, locks the problem row (after the
deadlines' scan lock), checks the revision the actor saw, moves the status along
`PROBLEM_TRANSITIONS`, writes the history row, the story entry and the audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, OrganisationKind, User
from qinqing.common.errors import InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.deadlines.services import hold_scan_lock

from ..models import (
    DEPARTMENT_STATUSES,
    OPEN_STATUSES,
    DeadlineMode,
    Outcome,
    Problem,
    ProblemStatus,
    ReferralLevel,
    ReturnVisit,
    ReturnVisitMode,
    ReturnVisitPurpose,
    UpdateKind,
)
from . import notices
from .common import (
    add_update,
    audit,
    check_revision,
    clean_text,
    close_deadline,
    default_group,
    due_date_for,
    is_department,
    is_dispatcher,
    is_supervising,
    judges_as_reporter,
    lock_problem,
    move,
    now,
    open_deadline,
    pause_deadline,
    record_transition,
    reopen_days,
    require_department,
    require_dispatcher,
    require_supervising,
    require_user,
    resume_deadline,
    return_visit_refusal,
    save,
    state,
    today,
)
from .evidence import attach_files


def _locked(problem: Problem, revision: int | None) -> Problem:
    hold_scan_lock()
    locked = lock_problem(problem.pk)
    check_revision(locked, revision)
    return locked


def _days(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            fields={"deadline_days": [str(_("Enter a whole number of working days."))]}
        ) from None
    if days < 1 or days > 365:
        raise ValidationFailed(fields={"deadline_days": [str(_("Between 1 and 365 working days."))]})
    return days


# --- assign ------------------------------------------------------------------------------


def assign_locked(
    *,
    actor: User,
    problem: Problem,
    department: Organisation,
    co_departments: Sequence[Organisation],
    deadline_mode: str,
    deadline_days: Any,
    supervising_group: Organisation | None,
    note: str,
    at: dt.datetime,
    check: bool = True,
) -> Problem:
    """Assign inside the caller's transaction, the problem already locked (or just
    created). `check` asks whether the actor may dispatch it."""
    if not is_department(department):
        raise ValidationFailed(fields={"department": [str(_("Choose a department."))]})
    if deadline_mode not in DeadlineMode.values:
        raise ValidationFailed(fields={"deadline_mode": [str(_("Choose one of the offered values."))]})
    days = _days(deadline_days)
    co = [c for c in co_departments if c.pk != department.pk]
    if any(not is_department(c) for c in co):
        raise ValidationFailed(fields={"co_departments": [str(_("Choose departments."))]})
    group = supervising_group or default_group(department)
    if group is not None and group.kind != OrganisationKind.SUPERVISION_GROUP:
        raise ValidationFailed(fields={"supervising_group": [str(_("Choose a supervision group."))]})
    if check:
        require_dispatcher(actor, problem)
    before = state(problem)
    reassigning = problem.status != ProblemStatus.REGISTERED
    if reassigning:
        # The old department's clock ends here; the new one gets its own.
        close_deadline(actor=actor, problem=problem, met=False, reason="reassigned")
    # Set before the move: its history row records the problem as it is after it.
    problem.organisation = department
    problem.supervising_group = group
    problem.deadline_mode = deadline_mode
    problem.deadline_days = days if deadline_mode == DeadlineMode.WORKING_DAYS else None
    problem.due_date = due_date_for(mode=deadline_mode, days=days, start=timezone.localdate(at))
    if problem.original_due_date is None:
        problem.original_due_date = problem.due_date
    problem.assigned_at = at
    move(problem, ProblemStatus.ASSIGNED, actor=actor, action="assign", at=at)
    save(
        problem,
        "organisation",
        "supervising_group",
        "deadline_mode",
        "deadline_days",
        "due_date",
        "original_due_date",
        "assigned_at",
        "status",
    )
    problem.co_departments.set(co)
    open_deadline(actor=actor, problem=problem)
    add_update(
        problem,
        kind=UpdateKind.ASSIGNED,
        actor=actor,
        text=note or f"{department.name} · {problem.due_date.isoformat()}",
        at=at,
    )
    audit(
        actor=actor,
        action="problem.reassign" if reassigning else "problem.assign",
        problem=problem,
        before=before,
        after={**state(problem), "supervising_group": group.pk if group else None, "co": [c.pk for c in co]},
    )
    notices.problem_assigned(problem, actor=actor)
    return problem


def problem_assign(
    *,
    actor: Any,
    problem: Problem,
    department: Organisation,
    deadline_mode: str = DeadlineMode.WORKING_DAYS,
    deadline_days: Any = None,
    co_departments: Sequence[Organisation] = (),
    supervising_group: Organisation | None = None,
    note: Any = "",
    revision: int | None = None,
) -> Problem:
    """The commission or the supervising group names the responsible department (and any
    co-responsible ones), the time limit (立行立改 or N working days) and the group that
    verifies. Assigning again moves it to another department with a new clock."""
    user = require_user(actor)
    text = clean_text(note, "note", required=False)
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_dispatcher(user, locked)
        return assign_locked(
            actor=user,
            problem=locked,
            department=department,
            co_departments=co_departments,
            deadline_mode=deadline_mode,
            deadline_days=deadline_days,
            supervising_group=supervising_group,
            note=text,
            at=now(),
            check=False,
        )


# --- the department's work ---------------------------------------------------------------


def problem_progress(
    *,
    actor: Any,
    problem: Problem,
    text: Any,
    files: Sequence[IO[bytes]] = (),
    public: bool = True,
    revision: int | None = None,
) -> Problem:
    """The department reports progress (the first report starts the rectification); a
    co-responsible department may add its part."""
    from .common import is_co_department_for, is_department_for

    user = require_user(actor)
    body = clean_text(text, "text")
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        lead = is_department_for(user, locked)
        if not lead and not is_co_department_for(user, locked):
            raise PermissionDenied(_("Only the responsible departments may report progress."))
        if locked.status not in DEPARTMENT_STATUSES:
            raise InvalidTransition(_("Progress is reported while the problem is being rectified."))
        at = now()
        before = state(locked)
        if locked.status == ProblemStatus.ASSIGNED and lead:
            move(locked, ProblemStatus.RECTIFYING, actor=user, action="start", at=at)
        update = add_update(
            locked, kind=UpdateKind.PROGRESS, actor=user, text=body, public=bool(public), at=at
        )
        attach_files(locked, update, files, actor=user, required=False)
        save(locked, "status")
        audit(actor=user, action="problem.progress", problem=locked, before=before, after=state(locked))
    return locked


def problem_submit(
    *,
    actor: Any,
    problem: Problem,
    text: Any,
    files: Sequence[IO[bytes]],
    revision: int | None = None,
) -> Problem:
    """The department says it is fixed, with evidence; the clock stops while the
    supervising group looks."""
    user = require_user(actor)
    body = clean_text(text, "text")
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_department(user, locked)
        at = now()
        before = state(locked)
        move(locked, ProblemStatus.SUBMITTED, actor=user, action="submit", at=at)
        update = add_update(locked, kind=UpdateKind.SUBMITTED, actor=user, text=body, at=at)
        attach_files(locked, update, files, actor=user, required=True)
        if locked.first_submitted_at is None:
            locked.first_submitted_at = at
        pause_deadline(actor=user, problem=locked, reason="submitted for verification")
        save(locked, "status", "first_submitted_at")
        audit(actor=user, action="problem.submit", problem=locked, before=before, after=state(locked))
        notices.problem_submitted(locked)
    return locked


def problem_request_withdrawal(
    *, actor: Any, problem: Problem, reason: Any, revision: int | None = None
) -> Problem:
    """The department asks for the problem to be withdrawn. Flagged: it is withdrawn only
    once the reporter, called back, agrees (撤单质检)."""
    user = require_user(actor)
    why = clean_text(reason, "reason")
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_department(user, locked)
        at = now()
        before = state(locked)
        move(locked, ProblemStatus.WITHDRAWAL_REQUESTED, actor=user, action="request_withdrawal", at=at)
        locked.withdrawal_flagged = True
        locked.reason = why
        pause_deadline(actor=user, problem=locked, reason="withdrawal requested")
        add_update(locked, kind=UpdateKind.WITHDRAWAL, actor=user, text=why, public=False, at=at)
        save(locked, "status", "withdrawal_flagged", "reason")
        audit(
            actor=user,
            action="problem.request_withdrawal",
            problem=locked,
            before=before,
            after=state(locked),
        )
        notices.withdrawal_requested(locked, why)
    return locked


# --- the supervising group ---------------------------------------------------------------


def problem_verify(
    *,
    actor: Any,
    problem: Problem,
    outcome: str = Outcome.FIXED,
    text: Any = "",
    revision: int | None = None,
) -> Problem:
    """The supervising group checks the evidence and accepts it: fixed, or partly fixed
    (say what remains). The department's clock is met; the return visit comes next."""
    user = require_user(actor)
    if outcome not in (Outcome.FIXED, Outcome.PARTLY_FIXED):
        raise ValidationFailed(fields={"outcome": [str(_("Choose fixed or partly fixed."))]})
    body = clean_text(text, "text", required=outcome == Outcome.PARTLY_FIXED)
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_supervising(user, locked)
        at = now()
        before = state(locked)
        submitted_at = (
            locked.updates.filter(kind=UpdateKind.SUBMITTED)
            .order_by("-at", "-id")
            .values_list("at", flat=True)
            .first()
        )
        locked.outcome = outcome
        move(locked, ProblemStatus.VERIFIED, actor=user, action="verify", at=at)
        locked.verified_at = at
        locked.rectified_on = timezone.localdate(submitted_at or at)
        if outcome == Outcome.PARTLY_FIXED:
            locked.reason = body
        resume_deadline(actor=user, problem=locked)
        close_deadline(actor=user, problem=locked, met=True, reason="verified")
        add_update(
            locked, kind=UpdateKind.VERIFIED, actor=user, text=body or str(Outcome(outcome).label), at=at
        )
        save(locked, "status", "outcome", "verified_at", "rectified_on", "reason", "due_date")
        audit(actor=user, action="problem.verify", problem=locked, before=before, after=state(locked))
        notices.problem_verified(locked)
    return locked


def problem_send_back(
    *,
    actor: Any,
    problem: Problem,
    reason: Any,
    revision: int | None = None,
) -> Problem:
    """The supervising group finds it not fixed: back to the department, with reasons; the
    clock restarts where it stopped."""
    user = require_user(actor)
    why = clean_text(reason, "reason")
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_supervising(user, locked)
        at = now()
        before = state(locked)
        if locked.status != ProblemStatus.SUBMITTED:
            raise InvalidTransition(_("Only a submitted rectification can be sent back."))
        resume_deadline(actor=user, problem=locked)
        move(locked, ProblemStatus.RECTIFYING, actor=user, action="send_back", at=at)
        locked.send_back_count += 1
        locked.reason = why
        add_update(locked, kind=UpdateKind.SENT_BACK, actor=user, text=why, at=at)
        save(locked, "status", "send_back_count", "reason", "due_date")
        audit(actor=user, action="problem.send_back", problem=locked, before=before, after=state(locked))
        notices.problem_sent_back(locked, why)
    return locked


def _reopen(locked: Problem, *, user: User | None, at: dt.datetime, why: str, action: str) -> None:
    """Back to the department with a new clock of the original length."""
    locked.outcome = ""
    locked.reopen_count += 1
    locked.reason = why
    locked.closed_at = None
    locked.reopen_until = None
    locked.rectified_on = None
    locked.verified_at = None
    locked.due_date = due_date_for(
        mode=locked.deadline_mode, days=locked.deadline_days, start=timezone.localdate(at)
    )
    move(locked, ProblemStatus.RECTIFYING, actor=user, action=action, at=at)
    open_deadline(actor=user, problem=locked)
    add_update(locked, kind=UpdateKind.REOPENED, actor=user, text=why, at=at)


def _visit_answer(score: Any, fixed: bool, comment: Any) -> tuple[int, str]:
    """The score (1–5) and the comment (required when not fixed), checked."""
    try:
        points = int(score)
    except (TypeError, ValueError):
        points = 0
    if not 1 <= points <= 5:
        raise ValidationFailed(fields={"score": [str(_("Score from 1 to 5."))]})
    return points, clean_text(comment, "comment", required=not fixed)


def problem_return_visit(
    *,
    actor: Any,
    problem: Problem,
    score: Any,
    fixed: bool,
    comment: Any = "",
    mode: str = ReturnVisitMode.ONLINE,
    revision: int | None = None,
) -> ReturnVisit:
    """回访: the reporter (online) or the supervising group (by telephone or on site, for
    the reporter) says whether it is really fixed and scores the work 1–5. Fixed closes
    the problem (销号); not fixed reopens it."""
    user = require_user(actor)
    if mode not in ReturnVisitMode.values:
        raise ValidationFailed(fields={"mode": [str(_("Choose one of the offered values."))]})
    points, note = _visit_answer(score, fixed, comment)
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        if mode == ReturnVisitMode.ONLINE:
            if not judges_as_reporter(user, locked):
                raise PermissionDenied(_("Only the reporter answers the return visit online."))
        elif not is_supervising(user, locked):
            raise PermissionDenied(
                _("Only the supervising group records a return visit by telephone or on site.")
            )
        return _record_return_visit(locked, user=user, points=points, fixed=fixed, note=note, mode=mode)


def problem_return_visit_by_receipt(*, code: Any, score: Any, fixed: bool, comment: Any = "") -> ReturnVisit:
    """The return visit answered online with the receipt code: a monitoring point's
    reporter has no account, and the code (shown to them once, kept only hashed) is what
    makes them the reporter. The same answer as a logged-in reporter's."""
    from .intake import problem_by_receipt

    problem = problem_by_receipt(code)
    points, note = _visit_answer(score, fixed, comment)
    with transaction.atomic(durable=True):
        locked = _locked(problem, None)
        return _record_return_visit(
            locked, user=None, points=points, fixed=fixed, note=note, mode=ReturnVisitMode.ONLINE
        )


# What closing or reopening a problem (`_reopen`) changes: the fields to save after.
_CLOSED_OR_REOPENED = (
    "status",
    "outcome",
    "closed_at",
    "reopen_until",
    "reopen_count",
    "reason",
    "rectified_on",
    "verified_at",
    "due_date",
)


def _record_return_visit(
    locked: Problem, *, user: User | None, points: int, fixed: bool, note: str, mode: str
) -> ReturnVisit:
    refused = return_visit_refusal(locked)
    if refused is not None:
        raise refused
    at = now()
    before = state(locked)
    visit = ReturnVisit.objects.create(
        problem=locked,
        purpose=ReturnVisitPurpose.CLOSURE,
        mode=mode,
        visited_by=user,
        score=points,
        fixed=bool(fixed),
        comment=note,
        at=at,
    )
    locked.satisfaction = points
    if fixed:
        move(locked, ProblemStatus.CLOSED, actor=user, action="close", at=at)
        locked.closed_at = at
        locked.reopen_until = timezone.localdate(at) + dt.timedelta(days=reopen_days())
        add_update(locked, kind=UpdateKind.RETURN_VISIT, actor=user, text=note, at=at)
        add_update(locked, kind=UpdateKind.CLOSED, actor=user, at=at)
    else:
        add_update(locked, kind=UpdateKind.RETURN_VISIT, actor=user, text=note, at=at)
        _reopen(locked, user=user, at=at, why=note, action="reopen_by_visit")
    save(locked, "satisfaction", *_CLOSED_OR_REOPENED)
    audit(
        actor=user,
        action="problem.return_visit",
        problem=locked,
        before=before,
        after={**state(locked), "score": points, "fixed": bool(fixed), "mode": mode},
    )
    if fixed:
        notices.problem_ended(locked)
    else:
        notices.problem_reopened(locked, note)
    return visit


def problem_reopen(*, actor: Any, problem: Problem, reason: Any, revision: int | None = None) -> Problem:
    """A closed problem is not fixed after all: the reporter may reopen it within the
    reopening period, the supervising group at any time."""
    user = require_user(actor)
    why = clean_text(reason, "reason")
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        _require_closed(locked)
        if not is_supervising(user, locked):
            if not judges_as_reporter(user, locked):
                raise PermissionDenied(_("Only the reporter or the supervising group may reopen a problem."))
            _require_reopening_period(locked)
        _reopen_closed(locked, user=user, why=why)
    return locked


def problem_reopen_by_receipt(*, code: Any, reason: Any) -> Problem:
    """A closed problem reopened with the receipt code: a monitoring point's reporter has
    no account, and the code is what makes them the reporter, so the same reopening
    period applies as to a logged-in reporter."""
    from .intake import problem_by_receipt

    problem = problem_by_receipt(code)
    why = clean_text(reason, "reason")
    with transaction.atomic(durable=True):
        locked = _locked(problem, None)
        _require_closed(locked)
        _require_reopening_period(locked)
        _reopen_closed(locked, user=None, why=why, noted={"by": "receipt"})
    return locked


def _require_closed(locked: Problem) -> None:
    if locked.status != ProblemStatus.CLOSED:
        raise InvalidTransition(_("Only a closed problem can be reopened."))


def _require_reopening_period(locked: Problem) -> None:
    """The reporter's reopening period (the supervising group has none)."""
    if locked.reopen_until is None or today() > locked.reopen_until:
        raise InvalidTransition(
            _("The period for reopening ended on %(day)s; report it again as a new problem.")
            % {"day": locked.reopen_until.isoformat() if locked.reopen_until else "—"}
        )


def _reopen_closed(
    locked: Problem, *, user: User | None, why: str, noted: dict[str, Any] | None = None
) -> None:
    """Reopen the locked, closed problem once the caller has checked who may: the new
    clock, the saved fields, the audit event (`noted` added to its `after`), the notice."""
    at = now()
    before = state(locked)
    _reopen(locked, user=user, at=at, why=why, action="reopen")
    save(locked, *_CLOSED_OR_REOPENED)
    audit(
        actor=user,
        action="problem.reopen",
        problem=locked,
        before=before,
        after={**state(locked), **(noted or {})},
    )
    notices.problem_reopened(locked, why)


def problem_check_withdrawal(
    *,
    actor: Any,
    problem: Problem,
    agrees: bool,
    comment: Any = "",
    mode: str = ReturnVisitMode.PHONE,
    revision: int | None = None,
) -> ReturnVisit:
    """撤单质检: the reporter, called back by the supervising group (or answering online),
    agrees to the withdrawal the department asked for, or not: then it goes back to the
    department and its clock restarts."""
    user = require_user(actor)
    if mode not in ReturnVisitMode.values:
        raise ValidationFailed(fields={"mode": [str(_("Choose one of the offered values."))]})
    note = clean_text(comment, "comment", required=False)
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        if mode == ReturnVisitMode.ONLINE:
            if not judges_as_reporter(user, locked):
                raise PermissionDenied(_("Only the reporter answers online."))
        elif not is_supervising(user, locked):
            raise PermissionDenied(_("Only the supervising group records the call back."))
        if locked.status != ProblemStatus.WITHDRAWAL_REQUESTED:
            raise InvalidTransition(_("No withdrawal waits to be checked."))
        at = now()
        before = state(locked)
        visit = ReturnVisit.objects.create(
            problem=locked,
            purpose=ReturnVisitPurpose.WITHDRAWAL_CHECK,
            mode=mode,
            visited_by=user,
            agrees=bool(agrees),
            comment=note,
            at=at,
        )
        if agrees:
            move(locked, ProblemStatus.WITHDRAWN, actor=user, action="withdraw_checked", at=at)
            close_deadline(actor=user, problem=locked, met=False, reason="withdrawn")
            locked.closed_at = at
        else:
            resume_deadline(actor=user, problem=locked)
            move(locked, ProblemStatus.RECTIFYING, actor=user, action="withdrawal_refused", at=at)
        add_update(locked, kind=UpdateKind.RETURN_VISIT, actor=user, text=note, public=False, at=at)
        save(locked, "status", "closed_at", "due_date")
        audit(
            actor=user,
            action="problem.check_withdrawal",
            problem=locked,
            before=before,
            after={**state(locked), "agrees": bool(agrees), "mode": mode},
        )
        if agrees:
            notices.problem_ended(locked)
        else:
            notices.problem_sent_back(
                locked, note or str(_("The reporter does not agree to the withdrawal."))
            )
    return visit


# --- the reporter ------------------------------------------------------------------------


def problem_withdraw(
    *, actor: Any, problem: Problem, reason: Any = "", revision: int | None = None
) -> Problem:
    """The reporter withdraws their own problem before it is submitted as fixed."""
    user = require_user(actor)
    why = clean_text(reason, "reason", required=False)
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_reporter_or_refuse(user, locked)
        at = now()
        before = state(locked)
        move(locked, ProblemStatus.WITHDRAWN, actor=user, action="withdraw", at=at)
        close_deadline(actor=user, problem=locked, met=False, reason="withdrawn by the reporter")
        locked.closed_at = at
        locked.reason = why
        add_update(locked, kind=UpdateKind.WITHDRAWAL, actor=user, text=why, at=at)
        save(locked, "status", "closed_at", "reason")
        audit(actor=user, action="problem.withdraw", problem=locked, before=before, after=state(locked))
    return locked


def require_reporter_or_refuse(user: User, problem: Problem) -> None:
    if not judges_as_reporter(user, problem):
        raise PermissionDenied(_("Only the reporter may withdraw a problem."))


# --- dispatching: merge and refer --------------------------------------------------------


def problem_merge(
    *, actor: Any, problem: Problem, into: Problem, reason: Any = "", revision: int | None = None
) -> Problem:
    """A duplicate is merged into the problem it repeats; its reporter follows that one."""
    user = require_user(actor)
    why = clean_text(reason, "reason", required=False)
    if into.pk == problem.pk:
        raise ValidationFailed(fields={"into": [str(_("A problem cannot be merged into itself."))]})
    with transaction.atomic(durable=True):
        hold_scan_lock()
        # Both rows, in id order: the one order for two problems.
        first, second = sorted([problem.pk, into.pk])
        a, b = lock_problem(first), lock_problem(second)
        locked, target = (a, b) if a.pk == problem.pk else (b, a)
        check_revision(locked, revision)
        require_dispatcher(user, locked)
        if not is_dispatcher(user, target):
            raise PermissionDenied(_("The problem to merge into lies outside your reach."))
        if target.status not in OPEN_STATUSES | {ProblemStatus.VERIFIED, ProblemStatus.CLOSED}:
            raise ValidationFailed(
                fields={"into": [str(_("Merge into a problem that is still on the ledger."))]}
            )
        at = now()
        before = state(locked)
        locked.duplicate_of = target
        move(locked, ProblemStatus.MERGED, actor=user, action="merge", at=at)
        close_deadline(actor=user, problem=locked, met=False, reason="merged")
        locked.closed_at = at
        locked.reason = why
        add_update(
            locked, kind=UpdateKind.MERGED, actor=user, text=f"{target.reference} {why}".strip(), at=at
        )
        save(locked, "status", "duplicate_of", "closed_at", "reason")
        audit(
            actor=user,
            action="problem.merge",
            problem=locked,
            before=before,
            after={**state(locked), "into": target.pk},
        )
        notices.problem_ended(locked, str(target.reference))
    return locked


def problem_refer(
    *,
    actor: Any,
    problem: Problem,
    level: str,
    referred_to: Any,
    reason: Any,
    revision: int | None = None,
) -> Problem:
    """Cannot be fixed at this level: referred, with the reason and to whom."""
    user = require_user(actor)
    if level not in ReferralLevel.values:
        raise ValidationFailed(fields={"level": [str(_("Choose one of the offered values."))]})
    to_whom = clean_text(referred_to, "referred_to", limit=200)
    why = clean_text(reason, "reason")
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_dispatcher(user, locked)
        at = now()
        before = state(locked)
        move(locked, ProblemStatus.REFERRED, actor=user, action="refer", at=at)
        close_deadline(actor=user, problem=locked, met=False, reason="referred")
        locked.referred_level = level
        locked.referred_to = to_whom
        locked.reason = why
        locked.closed_at = at
        add_update(locked, kind=UpdateKind.REFERRED, actor=user, text=f"{to_whom}：{why}", at=at)
        save(locked, "status", "referred_level", "referred_to", "reason", "closed_at")
        audit(
            actor=user,
            action="problem.refer",
            problem=locked,
            before=before,
            after={**state(locked), "level": level},
        )
        notices.problem_ended(locked, why)
    return locked


def problem_classify(
    *,
    actor: Any,
    problem: Problem,
    category: Any,
    subcategory: Any = "",
    severity: Any = "",
    institutional: Any = "",
    revision: int | None = None,
) -> Problem:
    """The commission or the group corrects the category, severity or institutional flag."""
    from .intake import _classification

    user = require_user(actor)
    cat, sub, sev, inst = _classification(category, subcategory, severity, institutional)
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        require_dispatcher(user, locked)
        before = {
            "category": locked.category,
            "subcategory": locked.subcategory,
            "severity": locked.severity,
            "institutional": locked.institutional,
        }
        locked.category, locked.subcategory, locked.severity, locked.institutional = cat, sub, sev, inst
        save(locked, "category", "subcategory", "severity", "institutional")
        if (cat, sev, inst) != (before["category"], before["severity"], before["institutional"]):
            # The reports count a problem by its classification at the period's end.
            record_transition(locked, from_status=locked.status, actor=user, action="classify", at=now())
        audit(
            actor=user,
            action="problem.classify",
            problem=locked,
            before=before,
            after={"category": cat, "subcategory": sub, "severity": sev, "institutional": inst},
        )
    return locked


def problem_note(
    *, actor: Any, problem: Problem, text: Any, public: bool = False, revision: int | None = None
) -> Problem:
    """A note on the story by anyone who may act on the problem (internal by default: the
    reporter sees only public entries). A note changes no state, so it leaves the
    revision as it is; naming one still tells the writer that someone acted meanwhile."""
    from .common import is_co_department_for, is_department_for

    user = require_user(actor)
    body = clean_text(text, "text")
    with transaction.atomic(durable=True):
        locked = _locked(problem, revision)
        if not (
            is_department_for(user, locked)
            or is_co_department_for(user, locked)
            or is_dispatcher(user, locked)
        ):
            raise PermissionDenied()
        add_update(locked, kind=UpdateKind.NOTE, actor=user, text=body, public=bool(public), at=now())
        audit(actor=user, action="problem.note", problem=locked, after={"public": bool(public)})
    return locked

"""What every contract service shares: who may act, row locks, revisions, the status
machine, and the obligation's deadline on the foundation's ladder.

Locks are taken in one order everywhere: the deadlines' scan lock (shared), then the
project row (it serialises every write of one project, so the recomputation of due
dates never races another), then obligations in id order, then a claim or a plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import OrganisationKind, Role, User
from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.common.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from qinqing.deadlines.models import Deadline, DeadlineStatus
from qinqing.deadlines.services import deadline_close, deadline_move, deadline_open

from .. import ladders
from ..models import (
    OBLIGATION_TRANSITIONS,
    OWED_STATUSES,
    FulfilmentClaim,
    Obligation,
    ObligationStatus,
    ObligorSide,
    Project,
    RemedyPlan,
)

MAX_TEXT = 2000

# Events an enterprise records itself: its own applications.
ENTERPRISE_EVENT_KEYS = frozenset({"planning_applied", "permit_applied"})


def today() -> dt.date:
    return timezone.localdate()


# --- who may act -------------------------------------------------------------------------


def _covers(paths: tuple[str, ...], path: str) -> bool:
    return any(path.startswith(p) for p in paths)


def is_committee_for(user: Any, project: Project) -> bool:
    """A management-committee member of the project's zone (or a node above it)."""
    scope = scope_for(user)
    return _covers(scope.paths_for(Role.COMMITTEE), project.committee.path)


def is_committee_node(user: Any, path: str) -> bool:
    return _covers(scope_for(user).paths_for(Role.COMMITTEE), path)


def is_enterprise_of(user: Any, project: Project) -> bool:
    return project.enterprise_id in scope_for(user).enterprise_ids


def is_department_for(user: Any, obligation: Obligation) -> bool:
    """An officer or head of the obligor department's subtree (the department itself
    or a unit under it): who does the work, and who hears of its alerts."""
    department = obligation.obligor_department
    if department is None:
        return False
    scope = scope_for(user)
    return any(p.startswith(department.path) for p in scope.paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD))


def is_obligor(user: Any, obligation: Obligation) -> bool:
    if obligation.obligor_side == ObligorSide.ENTERPRISE:
        return is_enterprise_of(user, obligation.project)
    return is_department_for(user, obligation)


def is_counterparty(user: Any, obligation: Obligation) -> bool:
    """Who confirms or disputes a claim: the committee for the enterprise's
    obligations, the enterprise for the government's."""
    if obligation.obligor_side == ObligorSide.ENTERPRISE:
        return is_committee_for(user, obligation.project)
    return is_enterprise_of(user, obligation.project)


def require_committee(user: Any, project: Project) -> None:
    if not is_committee_for(user, project):
        raise PermissionDenied(_("Only a member of the zone's management committee may do this."))


def require_obligor(user: Any, obligation: Obligation) -> None:
    if not is_obligor(user, obligation):
        raise PermissionDenied(_("Only the side that owes this obligation may do this."))


def require_counterparty(user: Any, obligation: Obligation) -> None:
    if not is_counterparty(user, obligation):
        raise PermissionDenied(_("Only the other side of this obligation may confirm or dispute its claim."))


def user_or_none(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def require_user(actor: Any) -> User:
    if not isinstance(actor, User) or not actor.is_active:
        raise PermissionDenied()
    return actor


def is_government_department(organisation: Any) -> bool:
    return organisation is not None and organisation.kind not in (
        OrganisationKind.COMMISSION,
        OrganisationKind.SUPERVISION_GROUP,
    )


# --- locks -------------------------------------------------------------------------------


def lock_project(project_id: int) -> Project:
    project = Project.objects.select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    return project


def lock_obligation(obligation_id: int) -> Obligation:
    obligation = Obligation.objects.select_for_update().filter(pk=obligation_id).first()
    if obligation is None:
        raise NotFound()
    return obligation


def lock_claim(claim_id: int) -> FulfilmentClaim:
    claim = FulfilmentClaim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def lock_plan(plan_id: int) -> RemedyPlan:
    plan = RemedyPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound()
    return plan


def lock_for_obligation(obligation_id: int) -> tuple[Project, Obligation]:
    """The project, then the obligation: the one order everywhere."""
    project_id = Obligation.objects.filter(pk=obligation_id).values_list("project_id", flat=True).first()
    if project_id is None:
        raise NotFound()
    project = lock_project(project_id)
    obligation = lock_obligation(obligation_id)
    obligation.project = project
    return project, obligation


# --- state -------------------------------------------------------------------------------


def check_revision(obligation: Obligation, revision: int | None) -> None:
    """Of two people acting on the same view of an obligation, the second is told."""
    if revision is not None and revision != obligation.revision:
        raise Conflict(
            _(
                "Someone else acted on this obligation while you were looking at it; it is now "
                "“%(status)s”. Reload it to see what changed."
            )
            % {"status": obligation.get_status_display()},
            code="obligation_changed",
            extra={"revision": obligation.revision, "status": obligation.status},
        )


def transition(obligation: Obligation, target: str) -> None:
    """Move the status along OBLIGATION_TRANSITIONS, or refuse with a clear error."""
    if target not in OBLIGATION_TRANSITIONS.get(obligation.status, frozenset()):
        raise InvalidTransition(
            _("An obligation cannot go from “%(current)s” to “%(target)s”.")
            % {"current": obligation.get_status_display(), "target": ObligationStatus(target).label},
            extra={"status": obligation.status, "target": str(target)},
        )
    obligation.status = target


def bump(obligation: Obligation, *fields: str) -> None:
    obligation.revision += 1
    obligation.save(update_fields=[*fields, "revision", "updated_at"])


def state(obligation: Obligation) -> dict[str, Any]:
    return {
        "status": obligation.status,
        "due_date": obligation.due_date.isoformat() if obligation.due_date else None,
        "original_due_date": (
            obligation.original_due_date.isoformat() if obligation.original_due_date else None
        ),
        "met_on": obligation.met_on.isoformat() if obligation.met_on else None,
        "achieved_value": obligation.achieved_value,
        "revision": obligation.revision,
    }


def audit(
    *,
    actor: Any,
    action: str,
    obj: Any,
    project: Project,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=f"contracts.{action}",
        obj=obj,
        organisation=project.committee_id,
        before=before,
        after=after,
    )


def clean_text(value: Any, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(fields={field: [str(_("This field is required."))]})
    if len(text) > limit:
        raise ValidationFailed(fields={field: [str(_("At most %(limit)d characters.") % {"limit": limit})]})
    return text


# --- the obligation's deadline -----------------------------------------------------------


def obligation_url(obligation: Obligation) -> str:
    try:
        return reverse("contracts:obligation", args=[obligation.public_id])
    except NoReverseMatch:
        # The pages are mounted by another module; the address is fixed by the spec.
        return f"/contracts/obligations/{obligation.public_id}/"


def deadline_title(obligation: Obligation) -> str:
    return f"{obligation.project.name}：{obligation.title}"[:200]


def deadline_organisation_id(obligation: Obligation) -> int:
    if obligation.obligor_side == ObligorSide.GOVERNMENT:
        assert obligation.obligor_department_id is not None
        return obligation.obligor_department_id
    return obligation.project.committee_id


def open_deadline(actor: Any, obligation: Obligation) -> None:
    """Start the obligation's ladder for its due date."""
    assert obligation.due_date is not None
    deadline = deadline_open(
        actor=actor,
        kind=ladders.ladder_kind(obligation.kind),
        object_type=ladders.OBJECT_TYPE,
        object_id=str(obligation.pk),
        organisation=(
            obligation.obligor_department
            if obligation.obligor_side == ObligorSide.GOVERNMENT and obligation.obligor_department
            else obligation.project.committee
        ),
        due_date=obligation.due_date,
        title=deadline_title(obligation),
        url=obligation_url(obligation),
        ladder_override=obligation.clause.ladder or None,
    )
    obligation.deadline = deadline


def _open_deadline_row(obligation: Obligation) -> Deadline | None:
    if obligation.deadline_id is None:
        return None
    return Deadline.objects.filter(pk=obligation.deadline_id, status=DeadlineStatus.OPEN).first()


def move_deadline(actor: Any, obligation: Obligation, reason: str) -> None:
    """Restart the ladder for the obligation's new due date (alerts of the old date stay)."""
    deadline = _open_deadline_row(obligation)
    if deadline is None or obligation.due_date is None or deadline.due_date == obligation.due_date:
        return
    deadline_move(actor=actor, deadline=deadline, due_date=obligation.due_date, reason=reason)


def close_deadline(actor: Any, obligation: Obligation, *, cancelled: bool = False, reason: str = "") -> None:
    deadline = _open_deadline_row(obligation)
    if deadline is None:
        return
    deadline_close(
        actor=actor,
        deadline=deadline,
        status=DeadlineStatus.CANCELLED if cancelled else DeadlineStatus.MET,
        reason=reason,
    )


def reopen_status(obligation: Obligation) -> str:
    """Where an obligation goes back to when a claim fails: open, or partly met when an
    earlier claim already reached part of its target."""
    return ObligationStatus.PARTLY_MET if obligation.met_on is not None else ObligationStatus.OPEN


def require_status(obligation: Obligation, allowed: frozenset[str] | set[str], message: Any) -> None:
    if obligation.status not in allowed:
        raise InvalidTransition(message, extra={"status": obligation.status})


__all__ = [
    "ENTERPRISE_EVENT_KEYS",
    "OWED_STATUSES",
    "audit",
    "bump",
    "check_revision",
    "clean_text",
    "close_deadline",
    "deadline_organisation_id",
    "deadline_title",
    "is_committee_for",
    "is_counterparty",
    "is_department_for",
    "is_enterprise_of",
    "is_obligor",
    "lock_claim",
    "lock_for_obligation",
    "lock_obligation",
    "lock_plan",
    "lock_project",
    "move_deadline",
    "obligation_url",
    "open_deadline",
    "reopen_status",
    "require_committee",
    "require_counterparty",
    "require_obligor",
    "state",
    "today",
    "transition",
]

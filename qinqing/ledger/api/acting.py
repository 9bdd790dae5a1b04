"""What every endpoint of the ledger API does around its service: refuse at once a user
whose roles can never take the action (403 before anything is looked at: an
administrator never acts on problems, a supervisor never does the department's work),
turn public names into records, and read a problem back as the user may see it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound, PermissionDenied, ValidationFailed

from ..filters import CITY_LEVEL
from ..models import (
    DEPARTMENT_STATUSES,
    Campaign,
    CampaignTopic,
    Problem,
    ProblemFile,
    ProblemStatus,
)
from ..selectors import access_problem_by_id, districts_for, problem_story
from ..services.common import (
    is_co_department_for,
    is_department_for,
    is_dispatcher,
    is_reporter,
    is_supervising,
    judges_as_reporter,
    reporter_may_reopen,
)
from .out import problem_detail, shows_names

DEPARTMENT = (Role.OFFICER, Role.DEPARTMENT_HEAD)
DETAIL_RELATED = (
    "organisation",
    "intake",
    "supervising_group",
    "reporter_enterprise",
    "reporter_user",
    "campaign",
    "topic",
    "walk_through",
    "monitoring_point",
    "duplicate_of",
)
SUPERVISING = (Role.SUPERVISOR,)


def require_role(request: HttpRequest, roles: Sequence[str], message: str) -> None:
    """Refuse a user holding none of `roles`; the service decides everything finer."""
    if not scope_for(request.user).has_role(*roles):
        raise PermissionDenied(message)


def require_department_role(request: HttpRequest) -> None:
    require_role(request, DEPARTMENT, _("Only a department's officers and heads do this."))


def require_supervising_role(request: HttpRequest) -> None:
    require_role(request, SUPERVISING, _("Only the commission and the supervision groups do this."))


def require_not_admin_only(request: HttpRequest) -> None:
    """Reporters may hold no role at all (an observer); an administrator who holds
    nothing else configures the product and never acts on problems."""
    scope = scope_for(request.user)
    if scope.is_admin and not scope.roles - {Role.ADMIN}:
        raise PermissionDenied(_("Administrators configure the ledger; they do not act on problems."))


# --- names to records -----------------------------------------------------------------------


def area_in_reach(user: Any, area: str) -> str:
    """An area filter (a district's or county's public id, or the city level) the user
    may look at, or a field error."""
    if area and area != CITY_LEVEL and area not in {str(d.public_id) for d in districts_for(user)}:
        raise ValidationFailed(fields={"area": [_("No such district or county in your reach.")]})
    return area


def organisation(code: str, field: str) -> Organisation:
    found = Organisation.objects.filter(code=code).first()
    if found is None:
        raise ValidationFailed(fields={field: [_("No such organisation.")]})
    return found


def organisations(codes: Sequence[str], field: str) -> list[Organisation]:
    found = {o.code: o for o in Organisation.objects.filter(code__in=list(codes))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(fields={field: [_("No such organisation.")]})
    return [found[c] for c in dict.fromkeys(codes)]


def campaign_by_id(public_id: uuid.UUID | None, field: str = "campaign") -> Campaign | None:
    if public_id is None:
        return None
    found = Campaign.objects.filter(public_id=public_id).first()
    if found is None:
        raise ValidationFailed(fields={field: [_("No such campaign.")]})
    return found


def topic_by_title(campaign: Campaign | None, title: str | None) -> CampaignTopic | None:
    if title is None:
        return None
    if campaign is None:
        raise ValidationFailed(fields={"campaign": [_("Name the campaign the topic belongs to.")]})
    found = campaign.topics.filter(title=title).first()
    if found is None:
        raise ValidationFailed(fields={"topic": [_("This campaign has no such topic.")]})
    return found


# --- reading a problem back ----------------------------------------------------------------


def allowed_actions(user: Any, problem: Problem) -> list[str]:
    """The action endpoints open to `user` on `problem` as it stands (the services
    still decide; this is what a client offers)."""
    status = problem.status
    department = is_department_for(user, problem)
    co_department = is_co_department_for(user, problem)
    supervising = is_supervising(user, problem)
    dispatcher = supervising or is_dispatcher(user, problem)
    reporter = judges_as_reporter(user, problem)
    working = status in (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING)
    dispatchable = status in (ProblemStatus.REGISTERED, *DEPARTMENT_STATUSES)
    reopenable = supervising or (reporter and reporter_may_reopen(problem))
    checks = {
        "assign": dispatcher and dispatchable,
        "progress": (department or co_department) and status in DEPARTMENT_STATUSES,
        "submit": department and working,
        "request-withdrawal": department and working,
        "verify": supervising and status == ProblemStatus.SUBMITTED,
        "send-back": supervising and status == ProblemStatus.SUBMITTED,
        "return-visit": (reporter or supervising) and status == ProblemStatus.VERIFIED,
        "reopen": reopenable and status == ProblemStatus.CLOSED,
        "withdraw": reporter and status in (ProblemStatus.REGISTERED, *DEPARTMENT_STATUSES),
        "check-withdrawal": (reporter or supervising) and status == ProblemStatus.WITHDRAWAL_REQUESTED,
        "merge": dispatcher and dispatchable,
        "refer": dispatcher and dispatchable,
        "classify": dispatcher,
        "note": department or co_department or dispatcher,
    }
    return [name for name, ok in checks.items() if ok]


def visible_files(user: Any, problem: Problem) -> list[ProblemFile]:
    """The report's own files and those of story entries the reader sees."""
    qs = problem.files.select_related("update").order_by("id")
    scope = scope_for(user)
    if not (scope.is_government or scope.is_supervisor):
        return [f for f in qs if f.update is None or f.update.public]
    return list(qs)


def reporter_visible(user: Any, problem: Problem) -> bool:
    """A reporter who asked to be hidden is hidden from the departments."""
    if not problem.hide_reporter:
        return True
    return is_reporter(user, problem) or is_dispatcher(user, problem)


def detail_for(request: HttpRequest, public_id: uuid.UUID, *, acted: bool = False) -> dict[str, Any]:
    """The problem as `request.user` may see it. After the user's own action (`acted`)
    it is answered even when the action took it out of their sight (a group assigning
    it to a department another group watches): they just saw it and changed it."""
    user = request.user
    try:
        problem = access_problem_by_id(user, public_id)
    except NotFound:
        if not acted:
            raise
        problem = Problem.objects.select_related(*DETAIL_RELATED).get(public_id=public_id)
    return problem_detail(
        problem,
        today=timezone.localdate(),
        story=list(problem_story(user, problem)),
        files=visible_files(user, problem),
        names=shows_names(user),
        reporter_visible=reporter_visible(user, problem),
        actions=allowed_actions(user, problem),
    )

"""What every write of the contract API does before its service: refuse a user with no
acting role, and turn a due rule's public names into the records the services take."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import PermissionDenied, ValidationFailed

from ..models import Project
from ..selectors import obligations_visible
from .schemas import AbsoluteRuleIn, RelativeRuleIn

ACTING_ROLES = (Role.COMMITTEE, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.ENTERPRISE)


def require_acting(request: HttpRequest) -> None:
    """Supervisors read and administrators configure: neither changes a contract record.
    The services decide everything finer (which committee, which side)."""
    scope = scope_for(request.user)
    if not scope.has_role(*ACTING_ROLES):
        raise PermissionDenied(_("Supervisors and administrators do not change contract records."))


def resolve_due_rule(
    request: HttpRequest, project: Project, rule: AbsoluteRuleIn | RelativeRuleIn
) -> dict[str, Any]:
    """The rule as `services.obligation_add` takes it; an anchor that is not of this
    project (or not visible) is the client's error, named by its field."""
    if isinstance(rule, AbsoluteRuleIn):
        return {"mode": "absolute", "date": rule.date}
    errors: dict[str, list[str]] = {}
    if (rule.anchor_obligation is None) == (rule.anchor_event is None):
        errors["due_rule.anchor_obligation"] = [_("Count from either an obligation or an event, not both.")]
        raise ValidationFailed(fields=errors)
    anchor_obligation = None
    if rule.anchor_obligation is not None:
        anchor_obligation = (
            obligations_visible(request.user)
            .filter(public_id=rule.anchor_obligation, project=project)
            .first()
        )
        if anchor_obligation is None:
            errors["due_rule.anchor_obligation"] = [_("No such obligation in this project.")]
    anchor_event = None
    if rule.anchor_event is not None:
        anchor_event = project.events.filter(key=rule.anchor_event).first()
        if anchor_event is None:
            errors["due_rule.anchor_event"] = [
                _("No such event in this project; record or declare it first.")
            ]
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "mode": "relative",
        "anchor_obligation": anchor_obligation,
        "anchor_event": anchor_event,
        "offset": rule.offset,
        "unit": str(rule.unit),
    }

"""A policy's approval steps: checked when saved, named in the reader's language.

Steps are data on the policy (`Policy.steps`), a list of
`{"key", "role", "kind", "limit", "name"?}`: a role of the issuing department acts on
each within `limit` working days. Kinds: `review` (approve, reject, return for
materials), `notice` (公示: the award is published; the step ends by itself when the
notice period has run without an open objection) and `payment` (the last approval: it
creates the payment instruction). The last step must be the one payment step.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Role
from qinqing.common.errors import ValidationFailed

from .models import StepKind

STEP_ROLES = (Role.OFFICER, Role.DEPARTMENT_HEAD)
MAX_LIMIT = 60
_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
_FIELDS = {"key", "role", "kind", "limit", "name"}

# The usual steps' names; a policy's own step may carry its own `name`.
KNOWN_NAMES: dict[str, Promise] = {
    "accept": _("Acceptance"),
    "review": _("Examination"),
    "recheck": _("Second review"),
    "notice": _("Public notice"),
    "disburse": _("Disbursement"),
}


def step_label(step: dict[str, Any] | Any) -> str:
    key = step["key"] if isinstance(step, dict) else step.key
    name = step.get("name", "") if isinstance(step, dict) else step.name
    if key in KNOWN_NAMES:
        return str(KNOWN_NAMES[key])
    return name or key


def check_steps(steps: Any) -> list[dict[str, Any]]:  # noqa: PLR0912 - one message per fault
    """The steps, normalised; ValidationFailed naming each faulty part otherwise."""
    fields: dict[str, list[str]] = {}

    def fault(path: str, message: Any) -> None:
        fields.setdefault(path, []).append(str(message))

    if not isinstance(steps, list) or not steps:
        raise ValidationFailed(fields={"steps": [str(_("At least one step is needed."))]})
    if len(steps) > 10:
        fault("steps", _("At most 10 steps."))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, step in enumerate(steps):
        path = f"steps[{i}]"
        if not isinstance(step, dict):
            fault(path, _("Each step is an object with key, role, kind and limit."))
            continue
        for extra in sorted(set(step) - _FIELDS):
            fault(f"{path}.{extra}", _("Unknown part of a step."))
        key, role, kind, limit = (
            step.get("key"),
            step.get("role"),
            step.get("kind", "review"),
            step.get("limit"),
        )
        name = step.get("name", "")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            fault(path + ".key", _("A key is lower-case letters, digits and _, starting with a letter."))
        elif key in seen:
            fault(path + ".key", _("Each step needs its own key."))
        else:
            seen.add(key)
        if role not in STEP_ROLES:
            fault(path + ".role", _("The role must be officer or department_head."))
        if kind not in StepKind.values:
            fault(path + ".kind", _("The kind must be review, notice or payment."))
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            fault(path + ".limit", _("The time limit is a whole number of working days from 1 to 60."))
        if not isinstance(name, str) or len(name) > 100:
            fault(path + ".name", _("A name is a text of at most 100 characters."))
        out.append(
            {"key": key, "role": role, "kind": kind, "limit": limit, **({"name": name} if name else {})}
        )
    kinds = [s.get("kind", "review") for s in steps if isinstance(s, dict)]
    if not fields:
        if kinds.count(StepKind.PAYMENT) != 1 or kinds[-1] != StepKind.PAYMENT:
            fault("steps", _("The last step, and only the last, is the payment step."))
        if kinds[0] == StepKind.NOTICE:
            fault("steps[0].kind", _("A public notice cannot come before anyone has reviewed the case."))
        reviewers = [s for s in out if s["kind"] != StepKind.NOTICE]
        if len(reviewers) < 2:
            fault("steps", _("Four eyes: at least two steps must be taken by people."))
    if fields:
        raise ValidationFailed(_("The approval steps are not valid."), fields=fields)
    return out

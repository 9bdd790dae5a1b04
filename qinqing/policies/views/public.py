"""Public pages of the policy catalogue: anyone may read published policies, no login."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qinqing.accounts.models import Role
from qinqing.common.errors import NotFound
from qinqing.policies.models import Policy, StepKind
from qinqing.policies.selectors import (
    policies_public,
    policies_upcoming,
    policy_announced_get,
    policy_versions,
)
from qinqing.policies.services import current_version
from qinqing.policies.steps import step_label
from qinqing.policies.summaries import (
    award_kind_label,
    award_lines,
    choice_label,
    condition_rows,
    version_rows,
    yuan,
)


def _card(policy: Policy) -> dict[str, Any]:
    rule = current_version(policy).rule
    return {
        "policy": policy,
        "award_kind": award_kind_label(rule),
        "award_lines": award_lines(rule),
        "budget": yuan(policy.budget_total),
        "cap": yuan(policy.cap_per_enterprise) if policy.cap_per_enterprise is not None else "",
    }


def policy_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cards = [_card(p) for p in policies_public(today=today)]
    upcoming = [_card(p) for p in policies_upcoming(today=today)]
    return render(request, "policies/list.html", {"cards": cards, "upcoming": upcoming})


def policy_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A policy in force or announced: its basis clause by clause beside each condition,
    the approval steps with their time limits, and every amendment with its reason."""
    today = timezone.localdate()
    try:
        policy = policy_announced_get(public_id, today=today)
    except NotFound as exc:
        raise Http404 from exc
    card = _card(policy)
    card["version"] = current_version(policy)
    card["conditions"] = condition_rows(card["version"].rule)
    card["opens_later"] = policy.valid_from > today
    card["steps"] = [
        {
            "label": step_label(s),
            "role": choice_label(Role, s.get("role")),
            "kind": choice_label(StepKind, s.get("kind")),
            "limit": s.get("limit"),
        }
        for s in policy.steps
    ]
    # Every amendment since publication (not the first version, which is the policy itself).
    card["amendments"] = version_rows(policy_versions(policy))[:-1]
    return render(request, "policies/detail.html", card)

"""Public pages of the policy catalogue: anyone may read published policies, no login."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from qinqing.common.errors import NotFound
from qinqing.policies.models import Policy
from qinqing.policies.selectors import policies_public, policy_public_get
from qinqing.policies.services import current_version
from qinqing.policies.summaries import award_kind_label, award_lines, condition_lines, yuan


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
    cards = [_card(p) for p in policies_public()]
    return render(request, "policies/list.html", {"cards": cards})


def policy_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        policy = policy_public_get(public_id)
    except NotFound as exc:
        raise Http404 from exc
    card = _card(policy)
    card["version"] = current_version(policy)
    card["conditions"] = condition_lines(card["version"].rule)
    return render(request, "policies/detail.html", card)

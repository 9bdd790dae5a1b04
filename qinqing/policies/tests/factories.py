"""Policies made through the real services (creation is itself a workflow step)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from qinqing.accounts.models import Organisation
from qinqing.policies.models import Policy
from qinqing.policies.services import policy_create, policy_publish

from .rules_examples import SCENIC_AWARD

_codes = itertools.count(1)


def make_policy(*, actor: Any, department: Organisation, publish: bool = False, **overrides: Any) -> Policy:
    fields: dict[str, Any] = {
        "code": f"policy-{next(_codes)}",
        "title": "A级旅游景区创建奖励",
        "basis_number": "泉政文〔2023〕15号",
        "basis_title": "泉州市促进文旅经济高质量发展的若干措施",
        "valid_from": dt.date(2026, 1, 1),
        "valid_until": dt.date(2026, 12, 31),
        "budget_total": Decimal("5000000"),
        "rule": SCENIC_AWARD,
    }
    fields.update(overrides)
    policy = policy_create(actor=actor, department=department, **fields)
    if publish:
        policy = policy_publish(actor=actor, policy=policy, today=fields["valid_from"])
    return policy

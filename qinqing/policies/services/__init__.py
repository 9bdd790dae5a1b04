"""Writes of the policy app, by subdomain: the catalogue, matching (invitations), and
cases (apply, confirm, approve, pay)."""

from qinqing.policies.services.catalogue import (
    can_write_policies,
    current_version,
    lock_policy,
    policy_amend,
    policy_create,
    policy_publish,
    policy_update,
    policy_update_rule,
    policy_withdraw,
)

__all__ = [
    "can_write_policies",
    "current_version",
    "lock_policy",
    "policy_amend",
    "policy_create",
    "policy_publish",
    "policy_update",
    "policy_update_rule",
    "policy_withdraw",
]

"""Jobs of the policy app; each takes ids or a period key and is safe to run twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from qinqing.scheduling.registry import register_periodic


@task(queue_name="notifications")
def notify_invitations(policy_id: int, batch: str, lapsed: bool = False) -> int:
    """Tell the users of the enterprises invited in one matching run (`batch` is the
    run's timestamp) or, with `lapsed`, whose invitations lapsed then; at most once per
    invitation and user."""
    from .services.invitations import invitations_notify

    return invitations_notify(policy_id=policy_id, batch=dt.datetime.fromisoformat(batch), lapsed=lapsed)


@task(queue_name="default")
def match_policy(policy_id: int) -> int:
    """Invite the enterprises that qualify for a newly published policy (a policy whose
    window has not begun, or that was withdrawn meanwhile, invites nobody)."""
    from django.utils import timezone

    from .models import Policy
    from .services.matching import policy_in_force, policy_match

    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None or not policy_in_force(policy, timezone.localdate()):
        return 0
    return policy_match(actor=None, policy=policy)


@task(queue_name="default")
def rematch_enterprise(enterprise_id: int) -> int:
    """Invite one enterprise to every policy it newly qualifies for; returns how many."""
    from .services.matching import enterprise_rematch

    return len(enterprise_rematch(enterprise_id=enterprise_id))


@task(queue_name="scheduler")
def close_notices(period_key: str) -> dict[str, Any]:
    """End the public notices whose period ran out without an open objection."""
    from .services.cases import notices_close

    return {"ended": notices_close(today=dt.date.fromisoformat(period_key))}


@task(queue_name="scheduler")
def match_policies(period_key: str) -> dict[str, int]:
    """Keep invitations to the catalogue once a day: lapse those of policies withdrawn or
    ended, match every proactive policy in force again (`policies_match_due`)."""
    from .services.matching import policies_match_due

    return policies_match_due(on=dt.date.fromisoformat(period_key))


register_periodic(name="policies.close_notices", task=close_notices, period="day", at=dt.time(0, 30))
# After midnight's notices: a window that opens or a year that starts today is matched.
register_periodic(name="policies.match", task=match_policies, period="day", at=dt.time(1, 0))

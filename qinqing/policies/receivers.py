"""The policy app listens to the payments app (money settled or refused for a case) and to
the registry (an enterprise's figures changed: re-match it)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from qinqing.enterprises.signals import enterprise_changed
from qinqing.payments.signals import payment_failed, payment_settled

CASE_SOURCE = "policies.case"


@receiver(payment_settled, dispatch_uid="policies.case_paid")
def case_paid(sender: Any, *, instruction: Any, **kwargs: Any) -> None:
    if instruction.source_type != CASE_SOURCE:
        return
    from qinqing.policies.services.cases import case_mark_paid

    case_mark_paid(case_id=int(instruction.source_id), paid_at=instruction.settled_at or timezone.now())


@receiver(payment_failed, dispatch_uid="policies.case_payment_failed")
def case_payment_failed(sender: Any, *, instruction: Any, **kwargs: Any) -> None:
    if instruction.source_type != CASE_SOURCE:
        return
    from qinqing.policies.services.cases import case_mark_payment_failed

    case_mark_payment_failed(case_id=int(instruction.source_id), reason=instruction.failure_reason or "")


@receiver(enterprise_changed, dispatch_uid="policies.rematch_enterprise")
def rematch_changed_enterprise(sender: Any, *, enterprise_id: int, **kwargs: Any) -> None:
    """New figures or labels may make the enterprise qualify: re-match it in a job."""
    from qinqing.policies.tasks import rematch_enterprise

    rematch_enterprise.enqueue(enterprise_id=enterprise_id)

"""The policy app listens to the payments app (money settled or refused for a case; may
this official send a case's failed payment again?) and to the registry (an enterprise's
figures changed: re-match it), and to the integrity app (an official declared a relation:
what they answered for goes to someone else)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from qinqing.enterprises.signals import enterprise_changed
from qinqing.integrity.signals import relation_declared
from qinqing.payments.signals import (
    payment_failed,
    payment_payee_asked,
    payment_resent,
    payment_retry_asked,
    payment_settled,
)

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


@receiver(payment_payee_asked, dispatch_uid="policies.case_payee")
def case_payee_asked(sender: Any, *, instruction: Any, **kwargs: Any) -> dict[str, str] | None:
    """A case pays the enterprise's verified account in the registry, never one typed in."""
    if instruction.source_type != CASE_SOURCE:
        return None
    from qinqing.policies.services.cases import case_payee

    return case_payee(case_id=int(instruction.source_id))


@receiver(payment_resent, dispatch_uid="policies.case_payment_resent")
def case_payment_resent(sender: Any, *, actor: Any, instruction: Any, **kwargs: Any) -> None:
    """A case's failed payment was sent again, by whichever route: it is paying again."""
    if instruction.source_type != CASE_SOURCE:
        return
    from qinqing.policies.services.cases import case_mark_paying_again

    case_mark_paying_again(case_id=int(instruction.source_id), actor=actor)


@receiver(payment_retry_asked, dispatch_uid="policies.case_payment_retry_refusal")
def case_payment_retry_asked(sender: Any, *, actor: Any, instruction: Any, **kwargs: Any) -> str | None:
    """Whoever retries a case's payment, by whichever route, is held to the case's rules."""
    if instruction.source_type != CASE_SOURCE:
        return None
    from qinqing.policies.models import Case
    from qinqing.policies.services.cases import case_payment_retry_refusal

    case = Case.objects.filter(pk=int(instruction.source_id)).only("enterprise_id").first()
    return case_payment_retry_refusal(actor, case) if case is not None else None


@receiver(enterprise_changed, dispatch_uid="policies.rematch_enterprise")
def rematch_changed_enterprise(sender: Any, *, enterprise_id: int, **kwargs: Any) -> None:
    """New figures or labels may make the enterprise qualify: re-match it in a job."""
    from qinqing.policies.tasks import rematch_enterprise

    rematch_enterprise.enqueue(enterprise_id=enterprise_id)


@receiver(relation_declared, dispatch_uid="policies.hand_over_for_recusal")
def hand_over_after_declaration(sender: Any, *, declaration: Any, **kwargs: Any) -> None:
    """An official who declares a relation no longer answers for the enterprise's open
    steps and objections: they go to someone else in the same transaction."""
    from qinqing.policies.services.cases import hand_over_for_recusal

    hand_over_for_recusal(official_id=declaration.official_id, enterprise_id=declaration.enterprise_id)

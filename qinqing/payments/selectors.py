"""Reads of payment instructions, through the scoping: officers and heads of the paying
organisation's subtree, supervisors over what they supervise (read-only), admins all.
An enterprise user sees none."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.common.errors import NotFound, PermissionDenied

from .models import PaymentAttempt, PaymentInstruction


def payments_in_scope(user: Any, *, write: bool = False) -> QuerySet[PaymentInstruction]:
    qs = PaymentInstruction.objects.select_related("organisation")
    if not write and scope_for(user).is_admin:
        return qs
    return scope_records(user, qs, organisation_field="organisation", enterprise_field=None, write=write)


def payments_with_attempts(user: Any) -> QuerySet[PaymentInstruction]:
    return payments_in_scope(user).prefetch_related(
        Prefetch("attempt_log", queryset=PaymentAttempt.objects.order_by("started_at", "id"))
    )


def access_payment_by_public_id(user: Any, public_id: Any, *, write: bool = False) -> PaymentInstruction:
    """A payment the user may read (or change): NotFound when it is out of sight,
    PermissionDenied when it is visible but not the user's to change."""
    instruction = payments_with_attempts(user).filter(public_id=public_id).first()
    if instruction is None:
        raise NotFound()
    if write and not payments_in_scope(user, write=True).filter(pk=instruction.pk).exists():
        raise PermissionDenied()
    return instruction

"""Reads of the policy catalogue: what the public sees and what an official may manage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.common.errors import NotFound

from .models import Policy, PolicyStatus


def policies_public(*, today: dt.date | None = None) -> QuerySet[Policy]:
    """Published policies in force today, for anyone."""
    today = today or timezone.localdate()
    return (
        Policy.objects.filter(status=PolicyStatus.PUBLISHED, valid_from__lte=today, valid_until__gte=today)
        .select_related("department")
        .prefetch_related("versions")
    )


def policy_public_get(public_id: Any, *, today: dt.date | None = None) -> Policy:
    policy = policies_public(today=today).filter(public_id=public_id).first()
    if policy is None:
        raise NotFound()
    return policy


def policies_in_scope(user: Any, *, write: bool = False) -> QuerySet[Policy]:
    """Every policy (any status) of the departments in the user's scope; admins see all."""
    qs = Policy.objects.select_related("department").prefetch_related("versions")
    if scope_for(user).is_admin:
        return qs
    return scope_records(user, qs, organisation_field="department", enterprise_field=None, write=write)


def access_policy_by_public_id(user: Any, public_id: Any, *, write: bool = False) -> Policy:
    """A policy the user may manage; the public catalogue is `policy_public_get`."""
    policy = policies_in_scope(user, write=write).filter(public_id=public_id).first()
    if policy is None:
        raise NotFound()
    return policy

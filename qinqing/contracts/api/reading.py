"""Reading obligations back for an answer: through the selectors (so what is answered
is what the user may see), with the alarm state and the related rows in one query."""

from __future__ import annotations

import uuid
from typing import Any, TypeAlias

from django.db.models import QuerySet
from django.http import HttpRequest
from django_stubs_ext import WithAnnotations

from qinqing.accounts.scoping import scope_for

from ..models import Obligation
from ..selectors import (
    AlarmState,
    access_obligation_by_public_id,
    allowed_actions,
    obligations_visible,
    with_alarm_state,
)
from .out import obligation_detail

RELATED = (
    "project__enterprise",
    "project__committee",
    "clause__contract",
    "obligor_department",
    "anchor_obligation",
    "anchor_event",
)


# Obligations with their `alarm_state` (a name for the type checker only).
Listed: TypeAlias = "QuerySet[WithAnnotations[Obligation, AlarmState]]"


def listed(qs: QuerySet[Obligation]) -> Listed:
    return with_alarm_state(qs).select_related(*RELATED)


def shows_names(request: HttpRequest) -> bool:
    """Officials' names are for officials; an enterprise user sees what was done."""
    return scope_for(request.user).is_government


def obligation_detail_for(request: HttpRequest, obligation_id: uuid.UUID) -> dict[str, Any]:
    access_obligation_by_public_id(request.user, obligation_id)
    obligation = listed(obligations_visible(request.user)).get(public_id=obligation_id)
    return obligation_detail(
        obligation, names=shows_names(request), actions=allowed_actions(request.user, obligation)
    )


def obligation_reloaded(request: HttpRequest, obligation: Obligation) -> dict[str, Any]:
    return obligation_detail_for(request, obligation.public_id)

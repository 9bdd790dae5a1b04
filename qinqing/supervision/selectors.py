"""What a supervisor reads of the audit trail, scoped by the organisation tree.

A supervision group reads the events of the departments it supervises; the city-wide
commission reads every event, including those that belong to no organisation (user
accounts, scheduled jobs). The verification of the chain itself always covers the whole
chain: integrity is not divisible by department.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for, scope_records
from qinqing.audit.models import AuditEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Events on one page of a timeline.
TIMELINE_PAGE = 200


def require_supervisor(user: Any) -> None:
    """Refuse anyone who does not hold the supervisor role (API and services)."""
    if not scope_for(user).is_supervisor:
        from qinqing.common.errors import PermissionDenied as Denied

        raise Denied()


def is_city_wide_supervisor(user: Any) -> bool:
    """A supervisor whose reach includes a root of the tree (the city): the commission
    itself or a group without a list of supervised departments."""
    scope = scope_for(user)
    # A root's materialised path is "/<id>/".
    return any(path.count("/") == 2 for path in scope.paths_for(Role.SUPERVISOR))


def audit_events_visible(*, user: Any) -> QuerySet[AuditEvent]:
    """Audit events `user` may read as a supervisor (none for anyone else)."""
    if not scope_for(user).is_supervisor:
        return AuditEvent.objects.none()
    scoped = scope_records(
        user, AuditEvent.objects.all(), organisation_field="organisation", enterprise_field=None
    )
    if is_city_wide_supervisor(user):
        # One WHERE with OR (an outer join), not a subquery over the whole table.
        return scoped | AuditEvent.objects.filter(organisation__isnull=True)
    return scoped


def audit_events_recent(*, user: Any, limit: int = 20) -> list[AuditEvent]:
    return list(audit_events_visible(user=user).select_related("organisation").order_by("-id")[:limit])


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any
    changed: bool


@dataclass(frozen=True)
class TimelineEntry:
    event: AuditEvent
    local_time: dt.datetime
    changes: list[Change] = field(default_factory=list)

    @property
    def changed_only(self) -> list[Change]:
        return [c for c in self.changes if c.changed]


def field_changes(before: Any, after: Any) -> list[Change]:
    """Before → after, field by field when both sides are objects (or absent)."""
    if (before is None or isinstance(before, dict)) and (after is None or isinstance(after, dict)):
        old, new = before or {}, after or {}
        return [
            Change(field=key, before=old.get(key), after=new.get(key), changed=old.get(key) != new.get(key))
            for key in sorted(set(old) | set(new))
        ]
    return [Change(field="", before=before, after=after, changed=before != after)]


def timeline_for(
    *, user: Any, object_type: str, object_id: str, offset: int = 0, limit: int = TIMELINE_PAGE
) -> tuple[list[TimelineEntry], int]:
    """One record's events visible to `user`, in chain order, and how many there are."""
    if not scope_for(user).is_supervisor:
        raise PermissionDenied
    events = audit_events_visible(user=user).filter(object_type=object_type, object_id=object_id)
    total = events.count()
    page = events.select_related("organisation").order_by("seq", "id")[offset : offset + limit]
    entries = [
        TimelineEntry(
            event=event,
            local_time=event.at.astimezone(SHANGHAI),
            changes=field_changes(event.before, event.after),
        )
        for event in page
    ]
    return entries, total


def object_type_name(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type

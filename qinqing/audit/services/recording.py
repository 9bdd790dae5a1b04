from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from qinqing.common.request_context import current_request_id

from .chain import GENESIS_HASH, canonical, event_hash, normalise_json
from .models import AuditEvent, AuditHead


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    organisation: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, inside the caller's transaction.

    `actor` is a user or None (the system); `obj` names the record changed, or
    `object_type`/`object_id` name it explicitly. Must be called inside
    `transaction.atomic()`: the event commits or rolls back with the change.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if not object_type or object_id is None:
        raise ValueError("audit_record needs obj or object_type and object_id")

    head = _lock_head()
    seq = head.seq + 1
    at = timezone.now()
    actor_id = getattr(actor, "pk", None)
    actor_label = str(actor) if actor is not None else "system"
    organisation_id = getattr(organisation, "pk", organisation)
    before_n = normalise_json(before)
    after_n = normalise_json(after)
    request_id = current_request_id() or ""
    content = canonical(
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=str(object_id),
        action=action,
        before=before_n,
        after=after_n,
        request_id=request_id,
    )
    digest = event_hash(head.hash, content)
    event = AuditEvent.objects.create(
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=str(object_id),
        action=action,
        before=before_n,
        after=after_n,
        request_id=request_id,
        prev_hash=head.hash,
        hash=digest,
    )
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    return event


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head

"""Reads of the audit trail. Access control is the caller's: the supervision app
scopes every read by organisation before it reaches a page or the API."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from .checkpoints import checkpoint_signing_key, export_lines
from .models import AuditCheckpoint, AuditEvent, AuditVerification
from .signing import key_id, public_key_b64, sign


def audit_events_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Every event of one record, in chain order (waiting events last)."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "organisation", "actor"
    )


def audit_pending_count() -> int:
    return AuditEvent.objects.filter(seq__isnull=True).count()


def audit_checkpoints_latest(*, limit: int = 20) -> list[AuditCheckpoint]:
    return list(AuditCheckpoint.objects.order_by("-seq")[:limit])


def audit_verification_latest() -> AuditVerification | None:
    return AuditVerification.objects.select_related("requested_by").order_by("-created_at", "-id").first()


def audit_verification_latest_finished() -> AuditVerification | None:
    return (
        AuditVerification.objects.filter(finished_at__isnull=False)
        .select_related("requested_by")
        .order_by("-finished_at", "-id")
        .first()
    )


def audit_checkpoint_export() -> Iterator[str]:
    """Every checkpoint as a signed JSON Lines export, line by line (see checkpoints.py).
    The export is signed with the checkpoint key; AuditSigningKeyMissing if it is lost."""
    key = checkpoint_signing_key()
    public = public_key_b64(key)
    return export_lines(
        AuditCheckpoint.objects.order_by("seq").iterator(),
        public_key=public,
        key_id=key_id(public),
        sign=lambda payload: sign(key, payload),
    )

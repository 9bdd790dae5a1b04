"""The audit trail's services. Every other app calls `audit_record` from here."""

from ..checkpoints import AuditSigningKeyMissing
from . import recording
from .checkpoints import AuditChainBroken, audit_checkpoint_create, audit_checkpoint_file_sync
from .recording import (
    SEALING_DEFERRED,
    SEALING_INLINE,
    audit_record,
    audit_seal_pending,
    lock_audit_head,
    sealing_mode,
)
from .verification import audit_verification_request, audit_verification_run

__all__ = [
    "SEALING_DEFERRED",
    "SEALING_INLINE",
    "AuditChainBroken",
    "AuditSigningKeyMissing",
    "audit_checkpoint_create",
    "audit_checkpoint_file_sync",
    "audit_record",
    "audit_seal_pending",
    "audit_verification_request",
    "audit_verification_run",
    "lock_audit_head",
    "recording",
    "sealing_mode",
]

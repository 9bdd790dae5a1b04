"""Signing checkpoints of the chain and keeping their copy outside the database."""

from __future__ import annotations

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import Conflict

from ..chain import GENESIS_HASH
from ..checkpoints import (
    SignedCheckpoint,
    append_to_file,
    checkpoint_payload,
    checkpoint_signing_key,
    file_checkpoint_seqs,
    iso_utc,
)
from ..models import AuditCheckpoint, AuditHead
from ..signing import key_id, public_key_b64, sign, trusted_public_key
from ..verify import verify_chain
from .recording import audit_seal_pending

logger = logging.getLogger(__name__)


class AuditChainBroken(Conflict):
    code = "audit_chain_broken"
    default_message = _(
        "The audit trail is broken, so no checkpoint was signed. Run a verification for details."
    )


def audit_checkpoint_create() -> AuditCheckpoint | None:
    """Seal waiting events, check what was added since the last checkpoint and sign
    the head. Returns None when nothing was added since.

    Checkpoints are not audit events themselves: they are the trail's own signed log,
    append-only in the database and copied to a file outside it. Recording each one in
    the chain would leave a new, unsigned event behind every checkpoint.
    """
    audit_seal_pending(wait=True)
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    if head is None or head[0] == 0:
        return None
    head_seq, head_hash = head
    last = AuditCheckpoint.objects.order_by("-seq").first()
    if last is not None and last.seq >= head_seq:
        return None

    # Never sign over a break: check the last checkpoint and every event after it.
    if last is not None and not SignedCheckpoint.of(last).signed_by(trusted_public_key() or last.public_key):
        raise AuditChainBroken(
            extra={"first_break": {"kind": "checkpoint_signature_invalid", "seq": last.seq}}
        )
    report = verify_chain(
        checkpoints=False,
        after_seq=last.seq if last else 0,
        after_hash=last.hash if last else GENESIS_HASH,
        through_seq=head_seq,
    )
    if not report.intact:
        first = report.first_break
        raise AuditChainBroken(
            extra={"first_break": {"kind": first.kind, "seq": first.seq} if first else None}
        )

    key = checkpoint_signing_key()
    public = public_key_b64(key)
    kid = key_id(public)
    at = timezone.now()
    signature = sign(key, checkpoint_payload(seq=head_seq, hash=head_hash, at=iso_utc(at), key_id=kid))
    try:
        with transaction.atomic(durable=True):
            checkpoint = AuditCheckpoint.objects.create(
                seq=head_seq,
                hash=head_hash,
                created_at=at,
                key_id=kid,
                public_key=public,
                signature=signature,
            )
            transaction.on_commit(partial(_append_quietly, SignedCheckpoint.of(checkpoint, source="file")))
    except IntegrityError:
        # Another process signed the same head a moment earlier.
        return AuditCheckpoint.objects.get(seq=head_seq)
    logger.info("signed audit checkpoint at event %s", head_seq)
    return checkpoint


def _append_quietly(checkpoint: SignedCheckpoint) -> None:
    try:
        append_to_file(checkpoint)
    except OSError:
        # The database copy stands; audit_checkpoint_file_sync() appends it later.
        logger.exception("could not append audit checkpoint %s to the checkpoint file", checkpoint.seq)


def audit_checkpoint_file_sync() -> int:
    """Append to the local checkpoint file any checkpoint of the database missing from
    it (after a failed write); returns how many were appended. Only checkpoints whose
    signature the trusted key confirms are copied."""
    present = file_checkpoint_seqs()
    trusted = trusted_public_key()
    added = 0
    for cp in AuditCheckpoint.objects.order_by("seq").iterator():
        if cp.seq in present:
            continue
        signed = SignedCheckpoint.of(cp, source="file")
        if trusted is None or not signed.signed_by(trusted):
            logger.error("audit checkpoint %s does not verify; not copied to the file", cp.seq)
            continue
        append_to_file(signed)
        added += 1
    return added

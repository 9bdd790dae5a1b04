"""Verification runs: a supervisor (or the schedule) asks, a job verifies, the result stays."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.utils import timezone

from qinqing.common.errors import InvalidTransition, NotFound

from ..models import (
    VERIFICATION_TRANSITIONS,
    AuditHead,
    AuditVerification,
    VerificationStatus,
    VerificationTrigger,
)
from ..verify import Report, verify_chain
from .recording import audit_record, audit_seal_pending

logger = logging.getLogger(__name__)

# Up to this many events a run is done at once, in the request (well under a second);
# a longer chain is verified by a background job.
INLINE_LIMIT = 50_000
# A run still queued or running after this long lost its worker; a new request replaces it.
STALE_AFTER = dt.timedelta(minutes=30)


def lock_verification(public_id: UUID) -> AuditVerification:
    run = AuditVerification.objects.select_for_update().filter(public_id=public_id).first()
    if run is None:
        raise NotFound()
    return run


def _transition(run: AuditVerification, status: str) -> None:
    if status not in VERIFICATION_TRANSITIONS[run.status]:
        raise InvalidTransition()
    run.status = status


def audit_verification_request(
    *, actor: Any, trigger: str = VerificationTrigger.MANUAL, background: bool | None = None
) -> AuditVerification:
    """Start a verification of the whole chain, or return the one already under way.

    `background` None decides by the chain's length: a short chain is verified at once
    and the finished run returned; a long one is queued for a worker.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        active = list(
            AuditVerification.objects.select_for_update()
            .filter(status__in=[VerificationStatus.QUEUED, VerificationStatus.RUNNING])
            .order_by("created_at")
        )
        for run in active:
            if now - run.created_at < STALE_AFTER:
                return run
            _finish_failed(run, "no worker finished this run in time")
        run = AuditVerification.objects.create(
            trigger=trigger, requested_by=actor if getattr(actor, "is_authenticated", False) else None
        )
        audit_record(
            actor=actor,
            action="audit.verification.request",
            obj=run,
            after={"trigger": trigger, "status": run.status},
        )
        if background is None:
            size = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
            background = size > INLINE_LIMIT
        if background:
            transaction.on_commit(lambda: _enqueue(run.public_id))
    if background:
        return run
    return audit_verification_run(run_id=run.public_id)


def _enqueue(public_id: UUID) -> None:
    from ..tasks import verify_audit_chain

    verify_audit_chain.enqueue(run_id=str(public_id))


def audit_verification_run(*, run_id: UUID, checkpoint_files: list[Path] | None = None) -> AuditVerification:
    """Run a queued verification to its end. Safe to call twice: a run that is no
    longer queued is returned as it is."""
    with transaction.atomic(durable=True):
        run = lock_verification(run_id)
        if run.status != VerificationStatus.QUEUED:
            return run
        _transition(run, VerificationStatus.RUNNING)
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at", "updated_at"])
    try:
        audit_seal_pending(wait=True)
        report = verify_chain(checkpoint_files=checkpoint_files or [])
    except (DatabaseError, OSError, ValueError, ImproperlyConfigured) as exc:
        logger.exception("audit verification %s could not run", run_id)
        with transaction.atomic(durable=True):
            run = lock_verification(run_id)
            if run.status == VerificationStatus.RUNNING:
                _finish_failed(run, str(exc))
        return run
    with transaction.atomic(durable=True):
        run = lock_verification(run_id)
        if run.status != VerificationStatus.RUNNING:
            # Given up on as stale while it ran (a very long chain): the newer run stands.
            logger.warning("audit verification %s finished after being marked %s", run_id, run.status)
            return run
        _finish(run, report)
    return run


def _finish(run: AuditVerification, report: Report) -> None:
    _transition(run, VerificationStatus.INTACT if report.intact else VerificationStatus.BROKEN)
    first = report.first_break
    run.finished_at = timezone.now()
    run.events_checked = report.events
    run.last_seq = report.last_seq
    run.pending_events = report.pending
    run.checkpoints_checked = report.checkpoints_checked
    run.duration_ms = round(report.duration_s * 1000)
    run.first_break = {"kind": first.kind, "seq": first.seq, "detail": first.detail} if first else None
    run.findings = [{"kind": f.kind, "seq": f.seq, "detail": f.detail} for f in report.findings]
    run.findings_total = report.findings_total
    run.warnings = list(report.warnings)
    run.guards_installed = report.guards_installed
    run.save()
    audit_record(
        actor=None,
        action="audit.verification.finish",
        obj=run,
        before={"status": VerificationStatus.RUNNING},
        after={
            "status": run.status,
            "events_checked": run.events_checked,
            "last_seq": run.last_seq,
            "first_break": run.first_break,
        },
    )


def _finish_failed(run: AuditVerification, error: str) -> None:
    before = run.status
    _transition(run, VerificationStatus.FAILED)
    run.finished_at = timezone.now()
    run.error = error[:2000]
    run.save(update_fields=["status", "finished_at", "error", "updated_at"])
    audit_record(
        actor=None,
        action="audit.verification.fail",
        obj=run,
        before={"status": before},
        after={"status": run.status, "error": run.error},
    )

"""Jobs of the audit trail: sealing sweep, signed checkpoints, verification runs."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django_tasks import task

from qinqing.scheduling.registry import register_periodic

from .models import VerificationTrigger


@task(queue_name="default")
def verify_audit_chain(run_id: str) -> str:
    """Run one verification requested by a supervisor; returns its final status."""
    from .services.verification import audit_verification_run

    return audit_verification_run(run_id=UUID(run_id)).status


@task(queue_name="scheduler")
def seal_audit_events(period_key: str) -> int:
    """Sweep: seal events whose writer died between its commit and sealing them."""
    from .services import audit_seal_pending

    return audit_seal_pending(wait=True)


@task(queue_name="scheduler")
def sign_audit_checkpoint(period_key: str) -> int | None:
    """Sign a checkpoint of the head and make sure the file outside holds every one.
    Returns the signed position, or None when nothing was added since the last one."""
    from .services.checkpoints import audit_checkpoint_create, audit_checkpoint_file_sync

    checkpoint = audit_checkpoint_create()
    audit_checkpoint_file_sync()
    return checkpoint.seq if checkpoint is not None else None


@task(queue_name="scheduler")
def verify_audit_daily(period_key: str) -> str:
    """Verify the whole chain once a day, so a break shows up without anyone asking."""
    from .services.verification import audit_verification_request

    run = audit_verification_request(actor=None, trigger=VerificationTrigger.SCHEDULE, background=False)
    return run.status


register_periodic(name="audit.seal", task=seal_audit_events, period="minute")
register_periodic(name="audit.checkpoint", task=sign_audit_checkpoint, period="hour")
register_periodic(name="audit.verify", task=verify_audit_daily, period="day", at=dt.time(2, 30))

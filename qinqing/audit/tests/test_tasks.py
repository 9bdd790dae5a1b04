"""The audit trail's periodic jobs are registered and do their one thing."""

from __future__ import annotations

from django.db import transaction

from qinqing.audit.models import AuditCheckpoint, AuditEvent, AuditVerification, VerificationTrigger
from qinqing.audit.services import audit_record
from qinqing.audit.tasks import seal_audit_events, sign_audit_checkpoint, verify_audit_daily
from qinqing.scheduling.registry import periodic_jobs

from .conftest import write_events


def test_the_jobs_are_registered_with_their_periods():
    jobs = {job.name: job for job in periodic_jobs()}
    assert jobs["audit.seal"].period == "minute"
    assert jobs["audit.checkpoint"].period == "hour"
    assert jobs["audit.verify"].period == "day"
    assert jobs["audit.checkpoint"].task.module_path == "qinqing.audit.tasks.sign_audit_checkpoint"


def test_the_sweeper_seals_what_writers_left(db, settings):
    settings.AUDIT_SEALING = "deferred"
    with transaction.atomic():
        audit_record(actor=None, action="x", object_type="t", object_id=1)
    assert seal_audit_events.call(period_key="2026-11-27T10:00") == 1
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def test_the_checkpoint_job_signs_and_fills_the_file(db, settings):
    write_events(3)
    assert sign_audit_checkpoint.call(period_key="2026-11-27T10") == 3
    assert AuditCheckpoint.objects.get().seq == 3
    assert settings.AUDIT_CHECKPOINT_FILE.exists()
    assert sign_audit_checkpoint.call(period_key="2026-11-27T11") is None


def test_the_daily_verification_is_recorded(db):
    write_events(3)
    assert verify_audit_daily.call(period_key="2026-11-27") == "intact"
    assert AuditVerification.objects.get().trigger == VerificationTrigger.SCHEDULE

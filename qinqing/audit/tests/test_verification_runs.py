"""Verification runs: requested, run (at once or by a worker), recorded, audited."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qinqing.audit.guards import EVENT_TABLE
from qinqing.audit.models import AuditEvent, AuditVerification, VerificationStatus, VerificationTrigger
from qinqing.audit.services import audit_verification_request, audit_verification_run
from qinqing.audit.services import verification as verification_module
from qinqing.audit.tasks import verify_audit_chain
from qinqing.audit.testing import tamper
from qinqing.audit.verify import Kind

from .conftest import write_events


def test_a_short_chain_is_verified_at_once_and_both_steps_are_audited(city):
    write_events(5)
    run = audit_verification_request(actor=city.city_supervisor)
    assert run.status == VerificationStatus.INTACT
    assert run.requested_by == city.city_supervisor
    assert run.trigger == VerificationTrigger.MANUAL
    # Five events plus the request's own event, written before the run started.
    assert run.events_checked == 6
    assert run.finished_at is not None and run.duration_ms is not None
    assert run.guards_installed is True
    actions = list(
        AuditEvent.objects.filter(object_type="audit.auditverification", object_id=str(run.pk)).values_list(
            "action", "actor_id"
        )
    )
    assert actions == [
        ("audit.verification.request", city.city_supervisor.pk),
        ("audit.verification.finish", None),
    ]


def test_a_broken_chain_is_recorded_with_its_first_break(city):
    write_events(5)
    tamper(f"UPDATE {EVENT_TABLE} SET object_id = 'x' WHERE seq = 3")
    run = audit_verification_request(actor=city.city_supervisor)
    assert run.status == VerificationStatus.BROKEN
    assert run.first_break["kind"] == Kind.CONTENT_MISMATCH
    assert run.first_break["seq"] == 3
    assert run.findings_total == 1


def test_a_long_chain_goes_to_a_worker(city, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(verification_module, "INLINE_LIMIT", 3)
    write_events(5)
    with django_capture_on_commit_callbacks(execute=True):
        run = audit_verification_request(actor=city.city_supervisor)
    assert run.status == VerificationStatus.QUEUED
    job = DBTaskResult.objects.get()
    assert job.task_path == "qinqing.audit.tasks.verify_audit_chain"
    assert job.args_kwargs["kwargs"] == {"run_id": str(run.public_id)}
    # What the worker does with it; running it twice changes nothing.
    assert verify_audit_chain.call(run_id=str(run.public_id)) == VerificationStatus.INTACT
    assert verify_audit_chain.call(run_id=str(run.public_id)) == VerificationStatus.INTACT
    assert AuditVerification.objects.get().status == VerificationStatus.INTACT


def test_a_second_request_joins_the_run_under_way(city, monkeypatch):
    monkeypatch.setattr(verification_module, "INLINE_LIMIT", 0)
    write_events(1)
    first = audit_verification_request(actor=city.city_supervisor)
    second = audit_verification_request(actor=city.supervisor)
    assert second.pk == first.pk
    assert AuditVerification.objects.count() == 1


def test_a_run_whose_worker_vanished_is_replaced(city, monkeypatch):
    monkeypatch.setattr(verification_module, "INLINE_LIMIT", 0)
    write_events(1)
    stale = audit_verification_request(actor=city.city_supervisor)
    AuditVerification.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    fresh = audit_verification_request(actor=city.city_supervisor)
    assert fresh.pk != stale.pk
    stale.refresh_from_db()
    assert stale.status == VerificationStatus.FAILED
    assert "worker" in stale.error


def test_a_finished_run_is_not_run_again(city):
    write_events(1)
    run = audit_verification_request(actor=city.city_supervisor)
    finished_at = run.finished_at
    again = audit_verification_run(run_id=run.public_id)
    assert again.finished_at == finished_at


def test_a_run_given_up_while_it_ran_keeps_that_verdict(city, monkeypatch):
    monkeypatch.setattr(verification_module, "INLINE_LIMIT", 0)
    write_events(1)
    run = audit_verification_request(actor=city.city_supervisor)
    real_verify = verification_module.verify_chain

    def verify_while_given_up(**kwargs):
        report = real_verify(**kwargs)
        # Meanwhile a newer request found this run stale and gave it up.
        AuditVerification.objects.filter(pk=run.pk).update(status=VerificationStatus.FAILED)
        return report

    monkeypatch.setattr(verification_module, "verify_chain", verify_while_given_up)
    assert audit_verification_run(run_id=run.public_id).status == VerificationStatus.FAILED
    assert not AuditEvent.objects.filter(action="audit.verification.finish").exists()

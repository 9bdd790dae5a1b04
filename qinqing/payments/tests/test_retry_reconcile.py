"""An officer's retry after a rejection, and the periodic reconciliation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.payments import services
from qinqing.payments.models import PaymentInstruction, PaymentStatus, TreasuryTransfer
from qinqing.payments.services import payment_retry, payment_send, payments_reconcile
from qinqing.payments.tasks import reconcile_payments, send_payment
from qinqing.scheduling.registry import periodic_jobs

from .factories import instruct, treasury

pytestmark = pytest.mark.django_db


def _rejected(city, key="case:1", **overrides):
    instruction = instruct(city.drc, key=key, **overrides)
    payment_send(instruction_id=instruction.pk)
    instruction.refresh_from_db()
    assert instruction.status == PaymentStatus.FAILED
    return instruction


# --- Retry ---------------------------------------------------------------------------------


def test_officer_retries_a_rejected_payment_with_the_account_fixed(
    city, signals, django_capture_on_commit_callbacks
):
    # given a payment rejected for its account
    instruction = _rejected(city, payee_account="12-34")

    # when the officer corrects the account and retries
    with django_capture_on_commit_callbacks(execute=True):
        retried = payment_retry(
            actor=city.officer, instruction=instruction, payee_account="6222020200112233445"
        )
    status = payment_send(instruction_id=instruction.pk)

    # then it is sent again under the same key and settles once
    assert retried.status == PaymentStatus.PENDING
    assert status == PaymentStatus.SETTLED
    instruction.refresh_from_db()
    assert instruction.attempts == 2 and instruction.failure_reason == ""
    assert TreasuryTransfer.objects.filter(key="case:1").count() == 1
    assert signals == [("failed", "case:1"), ("settled", "case:1")]
    event = AuditEvent.objects.get(action="payment.retry")
    assert event.actor_id == city.officer.pk
    assert DBTaskResult.objects.filter(task_path__endswith="send_payment").count() == 1


def test_head_of_the_department_may_retry(city):
    instruction = _rejected(city, payee_account="x")
    assert (
        payment_retry(actor=city.head, instruction=instruction, payee_account="123456789").status == "pending"
    )


@pytest.mark.parametrize(
    "who", ["other_officer", "supervisor", "city_supervisor", "admin", "enterprise_user"]
)
def test_others_may_not_retry(city, who):
    instruction = _rejected(city, payee_account="x")
    with pytest.raises(PermissionDenied):
        payment_retry(actor=getattr(city, who), instruction=instruction)
    instruction.refresh_from_db()
    assert instruction.status == PaymentStatus.FAILED


@pytest.mark.parametrize("status", [s for s in PaymentStatus if s != PaymentStatus.FAILED])
def test_only_a_failed_payment_can_be_retried(city, status):
    instruction = instruct(city.drc, key="case:2")
    PaymentInstruction.objects.filter(pk=instruction.pk).update(
        status=status, lease_until=timezone.now(), settled_at=timezone.now()
    )
    with pytest.raises(InvalidTransition):
        payment_retry(actor=city.officer, instruction=instruction)


def test_retry_refuses_an_empty_account(city):
    instruction = _rejected(city, payee_account="x")
    with pytest.raises(ValidationFailed) as exc:
        payment_retry(actor=city.officer, instruction=instruction, payee_account="  ")
    assert "payee_account" in exc.value.fields


# --- Reconciliation ------------------------------------------------------------------------------


def test_reconciliation_resolves_unknowns_and_expired_leases_by_query(city, monkeypatch):
    # given one timed out after the transfer, one timed out before, and one whose
    # sender died after the transfer (lease still set)
    treasury("timeout_after")
    after = instruct(city.drc, key="case:after")
    payment_send(instruction_id=after.pk)
    treasury("timeout_before")
    before = instruct(city.drc, key="case:before")
    payment_send(instruction_id=before.pk)
    treasury("normal")
    crashed = instruct(city.drc, key="case:crashed")

    def crash(*args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(services, "_record_send", crash)
    with pytest.raises(SystemExit):
        payment_send(instruction_id=crashed.pk)
    monkeypatch.undo()

    # when reconciling now: the live lease is left alone
    first = payments_reconcile()
    # and after the lease
    crashed.refresh_from_db()
    second = payments_reconcile(now=crashed.lease_until + dt.timedelta(seconds=1))

    # then
    assert (first.queried, first.settled, first.requeued) == (2, 1, 1)
    assert (second.queried, second.settled) == (1, 1)
    statuses = dict(PaymentInstruction.objects.values_list("key", "status"))
    assert statuses == {"case:after": "settled", "case:before": "pending", "case:crashed": "settled"}
    assert TreasuryTransfer.objects.filter(key="case:after").count() == 1
    assert TreasuryTransfer.objects.filter(key="case:crashed").count() == 1
    assert not TreasuryTransfer.objects.filter(key="case:before").exists()


def test_reconciliation_enqueues_pending_payments_whose_job_was_lost(
    city, django_capture_on_commit_callbacks
):
    instruction = instruct(city.drc, key="case:lost")  # on_commit never ran: the job is lost
    assert not DBTaskResult.objects.exists()
    later = timezone.now() + dt.timedelta(seconds=301)

    with django_capture_on_commit_callbacks(execute=True):
        soon = payments_reconcile()
        late = payments_reconcile(now=later)
        again = payments_reconcile(now=later + dt.timedelta(seconds=1))

    assert (soon.requeued, late.requeued, again.requeued) == (0, 1, 0)
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["kwargs"] == {"instruction_id": instruction.pk}


def test_the_jobs_call_the_services(city):
    instruction = instruct(city.drc, key="case:job")
    assert send_payment.call(instruction_id=instruction.pk) == PaymentStatus.SETTLED
    result = reconcile_payments.call(period_key="2026-11-27T08:00")
    assert result["period"] == "2026-11-27T08:00" and result["queried"] == 0


def test_reconciliation_is_registered_every_minute():
    jobs = {job.name: job for job in periodic_jobs()}
    assert jobs["payments.reconcile"].period == "minute"

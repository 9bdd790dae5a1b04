"""Sending: every gateway answer, the lease, the duplicate answer, a crash between the
send and its record, and the transitions table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import InvalidTransition
from qinqing.payments import services
from qinqing.payments.gateways import Answer, GatewayAnswer, GatewayTimeout, GatewayUnavailable
from qinqing.payments.models import (
    AttemptKind,
    AttemptOutcome,
    PaymentInstruction,
    PaymentStatus,
    TreasuryTransfer,
)
from qinqing.payments.services import payment_resolve, payment_send, payment_settle

from .factories import instruct, treasury

pytestmark = pytest.mark.django_db


def _log(instruction):
    return list(instruction.attempt_log.order_by("id").values_list("kind", "number", "outcome"))


# --- The simulated treasury, end to end ------------------------------------------------------


def test_send_settles_and_makes_one_transfer(city, signals):
    instruction = instruct(city.drc, key="case:1")

    status = payment_send(instruction_id=instruction.pk)

    instruction.refresh_from_db()
    assert status == PaymentStatus.SETTLED
    assert instruction.attempts == 1
    assert instruction.settled_at is not None and instruction.sent_at is not None
    transfer = TreasuryTransfer.objects.get(key="case:1")
    assert instruction.gateway_reference == transfer.reference
    assert transfer.amount == instruction.amount
    assert signals == [("settled", "case:1")]
    assert _log(instruction) == [(AttemptKind.SEND, 1, AttemptOutcome.SETTLED)]
    actions = list(AuditEvent.objects.filter(object_id=str(instruction.pk)).values_list("action", flat=True))
    assert actions == ["payment.instruct", "payment.send", "payment.settle"]


def test_sending_a_settled_instruction_again_does_nothing(city, signals):
    instruction = instruct(city.drc, key="case:2")
    payment_send(instruction_id=instruction.pk)

    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.SETTLED

    assert TreasuryTransfer.objects.filter(key="case:2").count() == 1
    assert signals == [("settled", "case:2")]


def test_rejection_fails_without_a_transfer_and_signals_once(city, signals):
    treasury("reject")
    instruction = instruct(city.drc, key="case:3")

    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.FAILED
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.FAILED

    instruction.refresh_from_db()
    assert instruction.failure_reason.startswith("REJECTED")
    assert not TreasuryTransfer.objects.exists()
    assert signals == [("failed", "case:3")]


def test_an_account_the_bank_does_not_hold_is_rejected(city):
    instruction = instruct(city.drc, key="case:4", payee_account="not-an-account")
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.FAILED
    instruction.refresh_from_db()
    assert instruction.failure_reason.startswith("ACCOUNT_INVALID")


def test_duplicate_answer_settles_once_and_signals_once(city, signals):
    # given a treasury that accepts and then delivers its settlement notice twice
    treasury("duplicate")
    instruction = instruct(city.drc, key="case:5")

    status = payment_send(instruction_id=instruction.pk)

    instruction.refresh_from_db()
    assert status == PaymentStatus.SETTLED
    assert TreasuryTransfer.objects.filter(key="case:5").count() == 1
    assert signals == [("settled", "case:5")]
    assert _log(instruction) == [
        (AttemptKind.SEND, 1, AttemptOutcome.ACCEPTED),
        (AttemptKind.NOTICE, 1, AttemptOutcome.SETTLED),
        (AttemptKind.NOTICE, 1, AttemptOutcome.SETTLED),
    ]
    assert AuditEvent.objects.filter(action="payment.settle", object_id=str(instruction.pk)).count() == 1


def test_timeout_before_the_transfer_is_unknown_then_resent_after_the_query(city, signals):
    treasury("timeout_before")
    instruction = instruct(city.drc, key="case:6")

    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.UNKNOWN
    # the treasury still does not answer: the query times out too, nothing changes
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.UNKNOWN
    treasury("normal")
    # the query finds nothing: safe to send again
    assert payment_resolve(instruction_id=instruction.pk) == PaymentStatus.PENDING
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.SETTLED

    instruction.refresh_from_db()
    assert instruction.attempts == 2
    assert TreasuryTransfer.objects.filter(key="case:6").count() == 1
    assert signals == [("settled", "case:6")]
    assert _log(instruction) == [
        (AttemptKind.SEND, 1, AttemptOutcome.TIMEOUT),
        (AttemptKind.QUERY, 1, AttemptOutcome.TIMEOUT),
        (AttemptKind.QUERY, 1, AttemptOutcome.NOT_FOUND),
        (AttemptKind.SEND, 2, AttemptOutcome.SETTLED),
    ]


def test_timeout_after_the_transfer_is_settled_by_query_without_resending(city, signals):
    treasury("timeout_after")
    instruction = instruct(city.drc, key="case:7")

    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.UNKNOWN
    treasury("normal")
    # a second run of the job queries instead of sending
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.SETTLED

    instruction.refresh_from_db()
    assert instruction.attempts == 1
    assert TreasuryTransfer.objects.filter(key="case:7").count() == 1
    assert signals == [("settled", "case:7")]


def test_unreachable_gateway_goes_back_to_pending_and_schedules_a_retry(
    city, django_capture_on_commit_callbacks
):
    treasury("unavailable")
    instruction = instruct(city.drc, key="case:8")

    with django_capture_on_commit_callbacks(execute=True):
        assert payment_send(instruction_id=instruction.pk) == PaymentStatus.PENDING

    job = DBTaskResult.objects.get()  # the delayed send job
    assert job.run_after > timezone.now() + dt.timedelta(seconds=30)
    treasury("normal")
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.SETTLED
    assert TreasuryTransfer.objects.filter(key="case:8").count() == 1


# --- The lease, and a crash between the send and its record -----------------------------------


def test_a_live_lease_keeps_a_second_job_away(city):
    instruction = instruct(city.drc, key="case:9")
    now = timezone.now()
    PaymentInstruction.objects.filter(pk=instruction.pk).update(
        status=PaymentStatus.SENDING, attempts=1, lease_until=now + dt.timedelta(seconds=60)
    )

    assert payment_send(instruction_id=instruction.pk, now=now) == PaymentStatus.SENDING
    assert payment_resolve(instruction_id=instruction.pk, now=now) == PaymentStatus.SENDING
    assert not TreasuryTransfer.objects.exists()
    assert not instruction.attempt_log.exists()


def test_crash_after_the_gateway_recorded_is_resolved_by_query_without_resending(city, monkeypatch, signals):
    # given a sender that dies after the treasury made the transfer, before recording it
    instruction = instruct(city.drc, key="case:10")

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_record_send", crash)
    with pytest.raises(SystemExit):
        payment_send(instruction_id=instruction.pk)
    monkeypatch.undo()
    instruction.refresh_from_db()
    assert instruction.status == PaymentStatus.SENDING
    assert TreasuryTransfer.objects.filter(key="case:10").count() == 1

    # when the job runs again within the lease: nothing
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.SENDING
    # and after the lease: the query finds the transfer
    later = instruction.lease_until + dt.timedelta(seconds=1)
    assert payment_send(instruction_id=instruction.pk, now=later) == PaymentStatus.SETTLED

    instruction.refresh_from_db()
    assert instruction.attempts == 1
    assert TreasuryTransfer.objects.filter(key="case:10").count() == 1
    assert signals == [("settled", "case:10")]
    assert _log(instruction) == [
        (AttemptKind.SEND, 1, AttemptOutcome.IN_FLIGHT),
        (AttemptKind.QUERY, 1, AttemptOutcome.SETTLED),
    ]


def test_crash_before_the_gateway_was_called_is_sent_once_after_the_lease(city, monkeypatch):
    instruction = instruct(city.drc, key="case:11")

    class Dead:
        def send(self, transfer):
            raise SystemExit("worker killed")

    monkeypatch.setattr(services, "get_gateway", Dead)
    with pytest.raises(SystemExit):
        payment_send(instruction_id=instruction.pk)
    monkeypatch.undo()
    instruction.refresh_from_db()
    later = instruction.lease_until + dt.timedelta(seconds=1)

    assert payment_send(instruction_id=instruction.pk, now=later) == PaymentStatus.PENDING
    assert payment_send(instruction_id=instruction.pk, now=later) == PaymentStatus.SETTLED
    assert TreasuryTransfer.objects.filter(key="case:11").count() == 1


# --- Every answer, from a scripted gateway -------------------------------------------------------


def test_accepted_waits_for_the_notice(city, scripted, signals):
    scripted.sends.append(GatewayAnswer(Answer.ACCEPTED, reference="R1"))
    instruction = instruct(city.drc, key="case:12")

    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.ACCEPTED
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.ACCEPTED  # no second send
    payment_settle(key="case:12", reference="R1", amount=instruction.amount)

    instruction.refresh_from_db()
    assert instruction.status == PaymentStatus.SETTLED
    assert len(scripted.sent) == 1
    assert signals == [("settled", "case:12")]


def test_accepted_without_notice_is_asked_after_a_lease(city, scripted):
    scripted.sends.append(GatewayAnswer(Answer.ACCEPTED, reference="R1"))
    scripted.queries.append(GatewayAnswer(Answer.SETTLED, reference="R1"))
    instruction = instruct(city.drc, key="case:13")
    payment_send(instruction_id=instruction.pk)
    later = timezone.now() + services.lease_duration() + dt.timedelta(seconds=1)

    assert payment_send(instruction_id=instruction.pk, now=later) == PaymentStatus.SETTLED
    assert scripted.asked == ["case:13"] and len(scripted.sent) == 1


def test_not_found_as_an_answer_to_a_send_is_unknown(city, scripted):
    scripted.sends.append(GatewayAnswer(Answer.NOT_FOUND))
    instruction = instruct(city.drc, key="case:14")
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.UNKNOWN


def test_an_unexpected_error_of_the_gateway_is_unknown_never_a_resend(city, scripted):
    scripted.sends.append(RuntimeError("connection reset"))
    scripted.queries.append(GatewayAnswer(Answer.SETTLED, reference="R9"))
    instruction = instruct(city.drc, key="case:15")

    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.UNKNOWN
    assert payment_send(instruction_id=instruction.pk) == PaymentStatus.SETTLED
    assert len(scripted.sent) == 1
    instruction.refresh_from_db()
    assert instruction.gateway_reference == "R9"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (GatewayAnswer(Answer.SETTLED, reference="R"), PaymentStatus.SETTLED),
        (GatewayAnswer(Answer.ACCEPTED, reference="R"), PaymentStatus.ACCEPTED),
        (GatewayAnswer(Answer.REJECTED, reason="closed"), PaymentStatus.FAILED),
        (GatewayAnswer(Answer.NOT_FOUND), PaymentStatus.PENDING),
        (GatewayTimeout("slow"), PaymentStatus.UNKNOWN),
        (GatewayUnavailable("down"), PaymentStatus.UNKNOWN),
        (ValueError("garbage"), PaymentStatus.UNKNOWN),
    ],
    ids=["settled", "accepted", "rejected", "not-found", "timeout", "unavailable", "error"],
)
def test_every_answer_to_a_query_of_an_unknown_payment(city, scripted, answer, expected):
    scripted.sends.append(GatewayTimeout("slow"))
    scripted.queries.append(answer)
    instruction = instruct(city.drc, key="case:16")
    payment_send(instruction_id=instruction.pk)

    assert payment_resolve(instruction_id=instruction.pk) == expected
    assert len(scripted.sent) == 1


def test_a_stale_not_found_does_not_reopen_a_payment_sent_meanwhile(city, scripted):
    # given an unknown payment, and a query that is answered only after another
    # resolver reopened it and a new send was claimed
    scripted.sends.extend([GatewayTimeout("slow"), GatewayAnswer(Answer.ACCEPTED, reference="R2")])
    instruction = instruct(city.drc, key="case:17")
    payment_send(instruction_id=instruction.pk)

    def slow_not_found():
        PaymentInstruction.objects.filter(pk=instruction.pk).update(status=PaymentStatus.PENDING)
        payment_send(instruction_id=instruction.pk)  # claims attempt 2, accepted
        return GatewayAnswer(Answer.NOT_FOUND)

    class Late:
        def query(self, key):
            return slow_not_found()

        def send(self, transfer):
            raise AssertionError("not reached")

    real = services.get_gateway
    calls = {"n": 0}

    def gateway():
        calls["n"] += 1
        return Late() if calls["n"] == 1 else real()

    services_get = services.get_gateway
    services.get_gateway = gateway
    try:
        status = payment_resolve(instruction_id=instruction.pk)
    finally:
        services.get_gateway = services_get

    assert status == PaymentStatus.ACCEPTED
    instruction.refresh_from_db()
    assert instruction.attempts == 2


def test_notice_with_another_amount_is_refused(city, scripted):
    from qinqing.common.errors import Conflict

    instruction = instruct(city.drc, key="case:18")
    with pytest.raises(Conflict):
        payment_settle(key="case:18", reference="R", amount=instruction.amount + 1)
    instruction.refresh_from_db()
    assert instruction.status == PaymentStatus.PENDING


def test_notice_for_an_unknown_key_is_not_found(city):
    from qinqing.common.errors import NotFound

    with pytest.raises(NotFound):
        payment_settle(key="nobody", reference="R")


def test_a_settlement_reported_after_a_rejection_wins(city, scripted, signals):
    scripted.sends.append(GatewayAnswer(Answer.REJECTED, reason="closed"))
    instruction = instruct(city.drc, key="case:19")
    payment_send(instruction_id=instruction.pk)

    payment_settle(key="case:19", reference="R")

    instruction.refresh_from_db()
    assert instruction.status == PaymentStatus.SETTLED
    assert signals == [("failed", "case:19"), ("settled", "case:19")]


# --- The transitions table -----------------------------------------------------------------


ALL = list(PaymentStatus)


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_transitions_follow_the_table(start, target):
    instruction = PaymentInstruction(status=start)
    allowed = target in PaymentInstruction.TRANSITIONS[start]
    if allowed:
        services._transition(instruction, target)
        assert instruction.status == target
    else:
        with pytest.raises(InvalidTransition):
            services._transition(instruction, target)
        assert instruction.status == start


def test_settled_is_final():
    assert PaymentInstruction.TRANSITIONS[PaymentStatus.SETTLED] == frozenset()


def test_nothing_but_pending_leads_to_sending():
    sources = [s for s, targets in PaymentInstruction.TRANSITIONS.items() if PaymentStatus.SENDING in targets]
    assert sources == [PaymentStatus.PENDING]

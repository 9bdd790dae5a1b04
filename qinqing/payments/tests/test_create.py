"""payment_instruction_create: validation, idempotency by key, audit, the send job."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, ValidationFailed
from qinqing.payments.models import PaymentInstruction, PaymentStatus

from .factories import instruct

pytestmark = pytest.mark.django_db


def test_create_records_a_pending_instruction_with_its_audit_event(city):
    # given / when
    instruction = instruct(city.drc, key="case:1", actor=city.head)

    # then
    assert instruction.status == PaymentStatus.PENDING
    assert instruction.amount == Decimal("600000.00")
    assert instruction.attempts == 0
    event = AuditEvent.objects.get(action="payment.instruct", object_id=str(instruction.pk))
    assert event.organisation_id == city.drc.pk
    assert event.actor_id == city.head.pk


def test_create_enqueues_the_send_job_on_commit(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        instruction = instruct(city.drc, key="case:2")

    job = DBTaskResult.objects.get()
    assert job.task_path.endswith("send_payment")
    assert job.args_kwargs["kwargs"] == {"instruction_id": instruction.pk}


def test_create_joins_the_callers_transaction(city):
    # given a caller whose transaction rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        instruct(city.drc, key="case:3")
        raise RuntimeError("the approval failed")

    # then the instruction is gone with it
    assert not PaymentInstruction.objects.filter(key="case:3").exists()


def test_same_key_returns_the_existing_instruction_unchanged(city, django_capture_on_commit_callbacks):
    first = instruct(city.drc, key="case:4")

    with django_capture_on_commit_callbacks(execute=True):
        again = instruct(city.drc, key="case:4", purpose="a different purpose is not a conflict")

    assert again.pk == first.pk
    assert again.purpose == first.purpose
    assert not DBTaskResult.objects.exists()  # no second send job
    assert AuditEvent.objects.filter(action="payment.instruct").count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("600000.01")},
        {"payee_account": "6222020200112233446"},
        {"payee_name": "别的公司"},
        {"payee_bank": "别的银行"},
        {"source_id": "99"},
    ],
    ids=["amount", "account", "name", "bank", "source"],
)
def test_same_key_with_different_money_or_payee_is_a_conflict(city, change):
    instruct(city.drc, key="case:5")

    with pytest.raises(Conflict) as exc:
        instruct(city.drc, key="case:5", **change)

    assert exc.value.code == "payment_key_conflict"
    assert PaymentInstruction.objects.count() == 1


def test_same_key_from_another_organisation_is_a_conflict(city):
    instruct(city.drc, key="case:6")
    with pytest.raises(Conflict):
        instruct(city.commerce, key="case:6")


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0"),
        Decimal("-1.00"),
        Decimal("0.001"),
        Decimal("1000000000000"),
        Decimal("NaN"),
        12.5,
        "abc",
        None,
    ],
    ids=["zero", "negative", "three-places", "too-large", "nan", "float", "text", "none"],
)
def test_amount_must_be_positive_decimal_with_two_places(city, amount):
    with pytest.raises(ValidationFailed) as exc:
        instruct(city.drc, key="case:7", amount=amount)

    assert "amount" in exc.value.fields
    assert not PaymentInstruction.objects.exists()


def test_whole_yuan_given_as_int_or_decimal_string_is_accepted(city):
    assert instruct(city.drc, key="case:8", amount=600000).amount == Decimal("600000.00")
    assert instruct(city.drc, key="case:9", amount="0.01").amount == Decimal("0.01")


@pytest.mark.parametrize("account", ["", "   ", None])
def test_payee_account_is_required(city, account):
    with pytest.raises(ValidationFailed) as exc:
        instruct(city.drc, key="case:10", payee_account=account)
    assert "payee_account" in exc.value.fields


def test_spaces_in_the_account_number_are_dropped(city):
    instruction = instruct(city.drc, key="case:11", payee_account="6222 0202 0011 2233 445")
    assert instruction.payee_account == "6222020200112233445"


def test_key_payee_name_and_purpose_are_required(city):
    with pytest.raises(ValidationFailed) as exc:
        instruct(city.drc, key="", payee_name="", purpose="")
    assert {"key", "payee_name", "purpose"} <= set(exc.value.fields)


def test_database_refuses_a_non_positive_amount(city):
    instruction = instruct(city.drc, key="case:12")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstruction.objects.filter(pk=instruction.pk).update(amount=Decimal("0"))

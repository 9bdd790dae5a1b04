"""A case's money goes to the enterprise's verified bank account as the registry holds
it, on every route that sends a failed payment again: no official types in another
account, a correction made and verified in the registry is what is sent, and an
unverified account stops the retry with the reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import ValidationFailed
from qinqing.payments.models import PaymentInstruction, PaymentStatus
from qinqing.payments.services import payment_retry, payment_send
from qinqing.policies.models import Case, CaseStatus
from qinqing.policies.services.cases import case_approve, case_payment_retry, invitation_confirm

from .workflow import World, refreshed

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = "6217001930012345678"


@pytest.fixture
def failed(world: World, settings: Any) -> Case:
    settings.PAYMENT_TREASURY_BEHAVIOUR = "reject"
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    for official in (world.officer, world.head, world.officer_b):
        case = case_approve(actor=official, case=case)
    payment_send(instruction_id=_instruction(case).pk)
    assert refreshed(case).status == CaseStatus.PAYMENT_FAILED
    settings.PAYMENT_TREASURY_BEHAVIOUR = "normal"
    return refreshed(case)


def _instruction(case: Case) -> PaymentInstruction:
    return PaymentInstruction.objects.get(source_type="policies.case", source_id=str(case.pk))


def test_no_official_types_in_another_account(world: World, failed: Case) -> None:
    old = _instruction(failed).payee_account
    with pytest.raises(ValidationFailed) as exc:
        payment_retry(
            actor=world.officer, instruction=_instruction(failed), payee_account="6222000011112222333"
        )
    assert set(exc.value.fields) == {"payee_account"}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.officer)
    response = client.post(
        f"/api/v1/payments/{_instruction(failed).public_id}/retry",
        json.dumps({"payee_account": "6222000011112222333"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    instruction = _instruction(failed)
    assert (instruction.status, instruction.payee_account) == (PaymentStatus.FAILED, old)
    # Repeating the registry's own account is no change, and goes through.
    payment_retry(actor=world.officer, instruction=instruction, payee_account=old)
    assert _instruction(failed).status == PaymentStatus.PENDING


def test_a_correction_verified_in_the_registry_is_what_is_sent(world: World, failed: Case) -> None:
    spot = world.spot
    spot.bank_account_number = NEW_ACCOUNT
    spot.save(update_fields=["bank_account_number"])
    case = case_payment_retry(actor=world.officer, case=failed)
    instruction = _instruction(case)
    assert (instruction.status, instruction.payee_account) == (PaymentStatus.PENDING, NEW_ACCOUNT)
    event = AuditEvent.objects.filter(action="payment.retry").latest("id")
    assert event.after["payee_account"] == NEW_ACCOUNT
    assert event.before["payee_account"] != NEW_ACCOUNT
    payment_send(instruction_id=instruction.pk)
    assert refreshed(case).status == CaseStatus.PAID


def test_an_unverified_account_stops_the_retry_with_the_reason(world: World, failed: Case) -> None:
    spot = world.spot
    spot.bank_account_verified = False
    spot.save(update_fields=["bank_account_verified"])
    with pytest.raises(ValidationFailed) as exc:
        case_payment_retry(actor=world.officer, case=failed)
    assert exc.value.code == "account_unverified"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.officer)
    html = client.get(f"/payments/{_instruction(failed).public_id}/").content.decode()
    assert 'data-testid="retry-refusal"' in html and "not verified" in html
    assert _instruction(failed).status == PaymentStatus.FAILED


def test_the_payments_page_shows_the_registry_account_and_asks_for_nothing(
    world: World, failed: Case
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.officer)
    instruction = _instruction(failed)
    html = client.get(f"/payments/{instruction.public_id}/").content.decode()
    assert 'data-testid="source-payee"' in html
    assert 'name="payee_account"' not in html
    response = client.post(f"/payments/{instruction.public_id}/retry/", {})
    assert response.status_code == 302
    assert refreshed(failed).status == CaseStatus.PAYING


def test_the_case_in_the_api_says_whether_i_may_send_it_again(world: World, failed: Case) -> None:
    from qinqing.integrity.services import relation_declare

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.officer)
    body = client.get(f"/api/v1/policies/cases/{failed.public_id}").json()
    assert (body["can_retry_payment"], body["retry_refusal"]) == (True, None)
    relation_declare(actor=world.officer, enterprise=world.spot, kind="relative_employee", description="亲属")
    body = client.get(f"/api/v1/policies/cases/{failed.public_id}").json()
    assert body["can_retry_payment"] is False and "declared a relation" in body["retry_refusal"]
    client.force_login(world.officer_b)
    world.spot.bank_account_verified = False
    world.spot.save(update_fields=["bank_account_verified"])
    body = client.get(f"/api/v1/policies/cases/{failed.public_id}").json()
    assert body["can_retry_payment"] is False and "not verified" in body["retry_refusal"]

"""Sending a case's failed payment again: recusal holds on every route (the case
service, the officials' case page, the policy API, the payments API and the payments
page); four eyes does not (the retry re-sends the approved instruction unchanged)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from qinqing.common.errors import PermissionDenied
from qinqing.integrity.models import RelationDeclaration
from qinqing.integrity.services import relation_declare, relation_end
from qinqing.payments.models import PaymentInstruction, PaymentStatus
from qinqing.payments.services import payment_retry, payment_send
from qinqing.policies.models import Case, CaseStatus
from qinqing.policies.services.cases import case_approve, case_payment_retry, invitation_confirm

from .workflow import World, refreshed

pytestmark = pytest.mark.django_db

RECUSED = "declared a relation to this enterprise"


def as_user(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def failed(world: World, settings: Any) -> Case:
    """A case approved by officer, head and officer B whose payment the gateway refused;
    the gateway accepts again from now on."""
    settings.PAYMENT_TREASURY_BEHAVIOUR = "reject"
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_approve(actor=world.officer, case=case)
    case = case_approve(actor=world.head, case=case)
    case = case_approve(actor=world.officer_b, case=case)
    payment_send(instruction_id=_instruction(case).pk)
    assert refreshed(case).status == CaseStatus.PAYMENT_FAILED
    settings.PAYMENT_TREASURY_BEHAVIOUR = "normal"
    return refreshed(case)


@pytest.fixture
def recused(world: World, failed: Case) -> Any:
    """The head declared, after approving, that a relative works for the enterprise."""
    relation_declare(actor=world.head, enterprise=world.spot, kind="relative_employee")
    return world.head


def _instruction(case: Case) -> PaymentInstruction:
    return PaymentInstruction.objects.get(source_type="policies.case", source_id=str(case.pk))


def _nothing_sent_again(case: Case) -> None:
    assert refreshed(case).status == CaseStatus.PAYMENT_FAILED
    instruction = _instruction(case)
    assert instruction.status == PaymentStatus.FAILED
    assert instruction.attempts == 1


# --- Refused on every route -----------------------------------------------------------------


def test_service_refuses_a_recused_official(failed, recused):
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        case_payment_retry(actor=recused, case=failed)
    assert RECUSED in str(exc.value.message)
    _nothing_sent_again(failed)


def test_payments_service_refuses_a_recused_official(failed, recused):
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        payment_retry(actor=recused, instruction=_instruction(failed), payee_account="6222020200112233445")
    assert RECUSED in str(exc.value.message)
    _nothing_sent_again(failed)
    assert _instruction(failed).payee_account == "6216610100012345678"


def test_case_page_offers_no_retry_and_refuses_it(failed, recused):
    client = as_user(recused)
    url = f"/policies/office/cases/{failed.public_id}/"

    html = client.get(url).content.decode()
    assert 'data-testid="retry-form"' not in html
    assert 'data-testid="refusal"' in html
    assert RECUSED in html

    response = client.post(url + "retry-payment/")
    assert response.status_code == 403
    assert RECUSED in response.content.decode()
    _nothing_sent_again(failed)


def test_policy_api_refuses_a_recused_official(failed, recused):
    response = post_json(as_user(recused), f"/api/v1/policies/cases/{failed.public_id}/retry-payment")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert RECUSED in response.json()["error"]["message"]
    _nothing_sent_again(failed)


def test_payments_api_refuses_a_recused_official(failed, recused):
    url = f"/api/v1/payments/{_instruction(failed).public_id}/retry"
    response = post_json(as_user(recused), url, {"payee_account": "6222020200112233445"})
    assert response.status_code == 403
    assert RECUSED in response.json()["error"]["message"]
    _nothing_sent_again(failed)


def test_payments_page_offers_no_retry_and_refuses_it(failed, recused):
    client = as_user(recused)
    instruction = _instruction(failed)

    html = client.get(f"/payments/{instruction.public_id}/").content.decode()
    assert 'data-testid="retry-form"' not in html
    assert 'data-testid="retry-refusal"' in html
    assert RECUSED in html

    response = client.post(
        f"/payments/{instruction.public_id}/retry/",
        {"payee_name": instruction.payee_name, "payee_account": "6222020200112233445", "payee_bank": ""},
    )
    assert response.status_code == 403
    assert RECUSED in response.content.decode()
    _nothing_sent_again(failed)


# --- Allowed: no relation, whoever approved -------------------------------------------------


def test_another_official_without_a_relation_retries_on_the_page(world, failed, recused):
    # The officer took the first step; four eyes does not bar a re-send.
    client = as_user(world.officer)
    assert (
        'data-testid="retry-form"'
        in client.get(f"/policies/office/cases/{failed.public_id}/").content.decode()
    )
    response = client.post(f"/policies/office/cases/{failed.public_id}/retry-payment/")
    assert response.status_code == 302
    assert refreshed(failed).status in (CaseStatus.PAYING, CaseStatus.PAID)
    assert _instruction(failed).status in (PaymentStatus.PENDING, PaymentStatus.SETTLED)


def test_the_payer_retries_through_the_service(world, failed):
    # Officer B approved the payment step itself: the retry is no new decision.
    case = case_payment_retry(actor=world.officer_b, case=failed)
    assert case.status == CaseStatus.PAYING
    assert _instruction(failed).status == PaymentStatus.PENDING


def test_an_official_without_a_relation_retries_through_the_policy_api(world, failed, recused):
    response = post_json(as_user(world.officer), f"/api/v1/policies/cases/{failed.public_id}/retry-payment")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paying"


def test_an_official_without_a_relation_retries_through_the_payments_api(world, failed, recused):
    response = post_json(as_user(world.officer), f"/api/v1/payments/{_instruction(failed).public_id}/retry")
    assert response.status_code == 200, response.content
    assert response.json()["status"] in (PaymentStatus.PENDING, PaymentStatus.SETTLED)


def test_an_official_without_a_relation_retries_on_the_payments_page(world, failed, recused):
    instruction = _instruction(failed)
    client = as_user(world.officer)
    assert 'data-testid="retry-form"' in client.get(f"/payments/{instruction.public_id}/").content.decode()
    response = client.post(
        f"/payments/{instruction.public_id}/retry/",
        {"payee_name": instruction.payee_name, "payee_account": instruction.payee_account, "payee_bank": ""},
    )
    assert response.status_code == 302
    assert _instruction(failed).status in (PaymentStatus.PENDING, PaymentStatus.SETTLED)


def test_a_relation_ended_no_longer_bars(world, failed, recused):
    declaration = RelationDeclaration.objects.get(official=recused, enterprise=world.spot)
    relation_end(actor=recused, declaration=declaration, reason="亲属已离职")
    case = case_payment_retry(actor=recused, case=failed)
    assert case.status == CaseStatus.PAYING


# --- The case follows its payment, whichever route retried ----------------------------------


def test_a_retry_from_the_payments_app_puts_the_case_back_to_paying(world, failed, settings):
    """Retried on the payments side (not through the case): the case is paying again in
    the same commit, so a second refusal by the gateway is recorded and told again."""
    from qinqing.audit.models import AuditEvent
    from qinqing.notifications.models import Notification

    payment_retry(actor=world.officer, instruction=_instruction(failed))
    assert refreshed(failed).status == CaseStatus.PAYING
    assert AuditEvent.objects.filter(action="case.payment_retry", object_id=str(failed.pk)).count() == 1
    told = Notification.objects.filter(event_key__contains=":payment_failed:").count()
    settings.PAYMENT_TREASURY_BEHAVIOUR = "reject"
    payment_send(instruction_id=_instruction(failed).pk)
    assert refreshed(failed).status == CaseStatus.PAYMENT_FAILED
    assert Notification.objects.filter(event_key__contains=":payment_failed:").count() > told
    # The heads are told, though this one approved a step: taking part bars nobody from a retry.
    assert Notification.objects.filter(recipient=world.head, event_key__contains=":payment_failed:").exists()
    settings.PAYMENT_TREASURY_BEHAVIOUR = "normal"
    case = case_payment_retry(actor=world.officer_b, case=failed)
    assert case.status == CaseStatus.PAYING
    payment_send(instruction_id=_instruction(failed).pk)
    assert refreshed(failed).status == CaseStatus.PAID

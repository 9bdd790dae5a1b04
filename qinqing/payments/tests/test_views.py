"""The payments pages: officers and supervisors read in scope, officers retry."""

from __future__ import annotations

import pytest

from qinqing.payments.models import PaymentStatus
from qinqing.payments.services import payment_send

from .factories import instruct

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(city):
    instruction = instruct(city.drc, key="drc:1", payee_account="bad", payee_name="清源山公司")
    payment_send(instruction_id=instruction.pk)
    instruction.refresh_from_db()
    return instruction


@pytest.mark.parametrize("who", ["officer", "head", "supervisor", "city_supervisor", "admin"])
def test_readers_see_the_payment_with_status_and_attempts(client, city, rejected, who):
    client.force_login(getattr(city, who))

    listing = client.get("/payments/")
    detail = client.get(f"/payments/{rejected.public_id}/")

    assert listing.status_code == 200
    assert "清源山公司" in listing.content.decode()
    assert detail.status_code == 200
    body = detail.content.decode()
    assert 'data-testid="attempts-table"' in body
    assert "ACCOUNT_INVALID" in body


def test_the_list_filters_by_status(client, city, rejected):
    instruct(city.drc, key="drc:2", payee_name="另一家公司")
    client.force_login(city.officer)

    body = client.get("/payments/", {"status": "failed"}).content.decode()

    assert "清源山公司" in body and "另一家公司" not in body


def test_other_departments_see_nothing_of_it(client, city, rejected):
    client.force_login(city.other_officer)
    assert "清源山公司" not in client.get("/payments/").content.decode()
    assert client.get(f"/payments/{rejected.public_id}/").status_code == 404


@pytest.mark.parametrize("who", ["enterprise_user"])
def test_enterprise_users_are_refused(client, city, rejected, who):
    client.force_login(getattr(city, who))
    assert client.get("/payments/").status_code == 403
    assert client.get(f"/payments/{rejected.public_id}/").status_code == 403


def test_anonymous_is_sent_to_log_in(client, rejected):
    assert client.get("/payments/").status_code == 302


def test_officer_sees_the_retry_form_and_retries(client, city, rejected):
    client.force_login(city.officer)
    assert 'data-testid="retry-form"' in client.get(f"/payments/{rejected.public_id}/").content.decode()

    response = client.post(
        f"/payments/{rejected.public_id}/retry/",
        {"payee_name": "清源山公司", "payee_account": "6222020200112233445", "payee_bank": ""},
    )

    assert response.status_code == 302
    rejected.refresh_from_db()
    assert rejected.status == PaymentStatus.PENDING
    assert rejected.payee_account == "6222020200112233445"


def test_a_bad_retry_keeps_the_form_with_its_message(client, city, rejected):
    client.force_login(city.officer)
    response = client.post(f"/payments/{rejected.public_id}/retry/", {"payee_name": "x", "payee_account": ""})
    assert response.status_code == 400
    rejected.refresh_from_db()
    assert rejected.status == PaymentStatus.FAILED


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_readers_who_may_not_retry_get_no_form_and_are_refused(client, city, rejected, who):
    client.force_login(getattr(city, who))
    assert 'data-testid="retry-form"' not in client.get(f"/payments/{rejected.public_id}/").content.decode()

    response = client.post(
        f"/payments/{rejected.public_id}/retry/", {"payee_name": "x", "payee_account": "6222020200112233445"}
    )

    assert response.status_code == 403
    rejected.refresh_from_db()
    assert rejected.status == PaymentStatus.FAILED


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_are_shown_with_separators_under_a_yuan_header(client, city, rejected, language):
    # Given an instruction of 600000.00 yuan, when an officer reads the list and the detail
    client.force_login(city.officer)
    client.cookies["django_language"] = language

    listing = client.get("/payments/").content.decode()
    detail = client.get(f"/payments/{rejected.public_id}/").content.decode()

    # then the amount reads as the product's other money columns do, unit in the header
    for body in (listing, detail):
        assert "600,000.00" in body
        assert "600000.00" not in body
    assert ("(yuan)" if language == "en" else "（元）") in listing

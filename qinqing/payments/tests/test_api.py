"""The payments API: read in scope, retry a rejected one; everyone else is refused."""

from __future__ import annotations

import uuid

import pytest

from qinqing.payments.models import PaymentStatus
from qinqing.payments.services import payment_send

from .factories import instruct

pytestmark = pytest.mark.django_db

BASE = "/api/v1/payments"


@pytest.fixture
def payments(city):
    """One payment of 市发改委 (rejected: a bad account) and one of 市商务局 (paid)."""
    drc = instruct(city.drc, key="drc:1", payee_account="bad")
    payment_send(instruction_id=drc.pk)
    commerce = instruct(city.commerce, key="commerce:1")
    payment_send(instruction_id=commerce.pk)
    return drc, commerce


def _keys(client):
    body = client.get(BASE).json()
    return sorted(item["key"] for item in body["items"])


def test_anonymous_is_refused(client, payments):
    assert client.get(BASE).status_code == 401


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer", ["drc:1"]),
        ("head", ["drc:1"]),
        ("other_officer", ["commerce:1"]),
        ("supervisor", ["drc:1"]),  # its group supervises 市发改委
        ("city_supervisor", ["commerce:1", "drc:1"]),
        ("admin", ["commerce:1", "drc:1"]),
        ("enterprise_user", []),
        ("committee_member", []),
    ],
)
def test_each_role_lists_what_it_may_read(client, city, payments, who, expected):
    client.force_login(getattr(city, who))
    assert _keys(client) == expected


def test_list_filters_and_pages(client, city, payments):
    client.force_login(city.city_supervisor)
    failed = client.get(BASE, {"status": "failed"}).json()
    page = client.get(BASE, {"limit": 1, "offset": 1}).json()

    assert [i["key"] for i in failed["items"]] == ["drc:1"]
    assert page["count"] == 2 and len(page["items"]) == 1
    assert client.get(BASE, {"status": "lost"}).status_code == 422
    assert client.get(BASE, {"limit": 0}).status_code == 422


def test_detail_shows_every_attempt(client, city, payments):
    drc, _ = payments
    client.force_login(city.officer)

    body = client.get(f"{BASE}/{drc.public_id}").json()

    assert body["status"] == "failed"
    assert body["amount"] == "600000.00"
    assert [(a["kind"], a["outcome"]) for a in body["attempt_log"]] == [("send", "rejected")]


@pytest.mark.parametrize("who", ["other_officer", "enterprise_user", "committee_member"])
def test_detail_out_of_scope_is_not_found(client, city, payments, who):
    drc, _ = payments
    client.force_login(getattr(city, who))
    response = client.get(f"{BASE}/{drc.public_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_id_is_not_found(client, city):
    client.force_login(city.officer)
    assert client.get(f"{BASE}/{uuid.uuid4()}").status_code == 404


def test_officer_retries_with_a_corrected_account(client, city, payments):
    drc, _ = payments
    client.force_login(city.officer)

    response = client.post(
        f"{BASE}/{drc.public_id}/retry",
        {"payee_account": "6222020200112233445"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert response.json()["payee_account"] == "6222020200112233445"
    assert payment_send(instruction_id=drc.pk) == PaymentStatus.SETTLED


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 403),
        ("city_supervisor", 403),
        ("admin", 403),
        ("other_officer", 404),
        ("enterprise_user", 404),
    ],
)
def test_others_cannot_retry(client, city, payments, who, status):
    drc, _ = payments
    client.force_login(getattr(city, who))

    response = client.post(f"{BASE}/{drc.public_id}/retry", {}, content_type="application/json")

    assert response.status_code == status
    drc.refresh_from_db()
    assert drc.status == PaymentStatus.FAILED


def test_retrying_a_paid_payment_is_a_conflict(client, city, payments):
    _, commerce = payments
    client.force_login(city.other_officer)
    response = client.post(f"{BASE}/{commerce.public_id}/retry", {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_retry_with_an_empty_account_is_refused_with_a_message(client, city, payments):
    drc, _ = payments
    client.force_login(city.officer)
    response = client.post(
        f"{BASE}/{drc.public_id}/retry", {"payee_account": " "}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "payee_account" in response.json()["error"]["fields"]

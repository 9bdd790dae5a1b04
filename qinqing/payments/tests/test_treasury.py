"""The simulated treasury: its ledger does not deduplicate, its behaviours, and how an
admin sets them (service, command, admin page); the gateway setting and the lease check."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import ValidationFailed
from qinqing.payments.checks import check_payment_lease
from qinqing.payments.gateways import Answer, GatewayTimeout, GatewayUnavailable, Transfer, get_gateway
from qinqing.payments.gateways.treasury import SimulatedTreasury, treasury_behaviour, treasury_seed
from qinqing.payments.models import TreasuryMode, TreasuryTransfer
from qinqing.payments.services import payment_send, treasury_mode_set

from .factories import ACCOUNT, ScriptedGateway, instruct, treasury

pytestmark = pytest.mark.django_db

TRANSFER = Transfer(
    key="k:1",
    amount=Decimal("10.00"),
    payee_name="P",
    payee_account=ACCOUNT,
    payee_bank="B",
    purpose="test",
)


def test_the_ledger_does_not_deduplicate_by_key():
    bank = SimulatedTreasury()
    first, second = bank.send(TRANSFER), bank.send(TRANSFER)

    assert first.outcome == second.outcome == Answer.SETTLED
    assert first.reference != second.reference
    assert TreasuryTransfer.objects.filter(key="k:1").count() == 2


def test_query_finds_a_transfer_by_key_or_not():
    bank = SimulatedTreasury()
    assert bank.query("k:1").outcome == Answer.NOT_FOUND
    sent = bank.send(TRANSFER)
    found = bank.query("k:1")
    assert (found.outcome, found.reference) == (Answer.SETTLED, sent.reference)


@pytest.mark.parametrize(
    ("behaviour", "raises", "recorded"),
    [
        ("timeout_before", GatewayTimeout, 0),
        ("timeout_after", GatewayTimeout, 1),
        ("unavailable", GatewayUnavailable, 0),
    ],
)
def test_failures_that_are_not_answers(behaviour, raises, recorded):
    treasury(behaviour)
    with pytest.raises(raises):
        SimulatedTreasury().send(TRANSFER)
    assert TreasuryTransfer.objects.count() == recorded


def test_reject_records_nothing():
    treasury("reject")
    answer = SimulatedTreasury().send(TRANSFER)
    assert answer.outcome == Answer.REJECTED and answer.reason
    assert not TreasuryTransfer.objects.exists()


def test_random_mode_mixes_every_behaviour_at_its_rate():
    treasury(
        "random",
        fail_rate=Decimal("0.2"),
        timeout_rate=Decimal("0.2"),
        duplicate_rate=Decimal("0"),
        unavailable_rate=Decimal("0.1"),
    )
    treasury_seed(7)
    outcomes: dict[str, int] = {}
    for n in range(300):
        try:
            result = SimulatedTreasury().send(Transfer(**{**TRANSFER.__dict__, "key": f"r:{n}"})).outcome
        except (GatewayTimeout, GatewayUnavailable) as exc:
            result = type(exc).__name__
        outcomes[str(result)] = outcomes.get(str(result), 0) + 1
    treasury_seed(None)

    assert set(outcomes) == {"settled", "rejected", "GatewayTimeout", "GatewayUnavailable"}
    assert 15 <= outcomes["GatewayUnavailable"] <= 50  # about 10 %


def test_settings_apply_until_an_admin_sets_the_row(settings):
    settings.PAYMENT_TREASURY_BEHAVIOUR = "random"
    settings.PAYMENT_TREASURY_TIMEOUT_RATE = "0.25"
    assert treasury_behaviour().behaviour == "random"
    assert treasury_behaviour().timeout_rate == Decimal("0.25")

    treasury_mode_set(actor=None, behaviour="reject")

    assert treasury_behaviour().behaviour == "reject"


def test_treasury_mode_set_is_audited_and_keeps_rates_not_given(city):
    treasury_mode_set(actor=city.admin, behaviour="random", fail_rate=Decimal("0.5"))
    treasury_mode_set(actor=city.admin, behaviour="random", timeout_rate=Decimal("0.1"))

    mode = TreasuryMode.objects.get()
    assert (mode.fail_rate, mode.timeout_rate) == (Decimal("0.5"), Decimal("0.1"))
    assert AuditEvent.objects.filter(action="payment.treasury_mode", actor_id=city.admin.pk).count() == 2


@pytest.mark.parametrize(
    ("behaviour", "rate"), [("sleepy", None), ("random", Decimal("1.5")), ("random", Decimal("-0.1"))]
)
def test_treasury_mode_set_refuses_nonsense(behaviour, rate):
    with pytest.raises(ValidationFailed):
        treasury_mode_set(actor=None, behaviour=behaviour, fail_rate=rate)
    assert not TreasuryMode.objects.exists()


def test_the_command_sets_and_shows_the_behaviour():
    out = StringIO()
    call_command("treasury_mode", "random", "--fail", "0.1", "--duplicate", "0.3", stdout=out)
    assert "behaviour=random fail=0.100" in out.getvalue()
    assert "duplicate=0.300" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("treasury_mode", "random", "--fail", "2")


def test_admin_page_sets_the_behaviour_through_the_service(client, city):
    city.admin.is_staff = True
    city.admin.is_superuser = True
    city.admin.save()
    client.force_login(city.admin)

    response = client.post(
        "/django-admin/payments/treasurymode/add/",
        {
            "behaviour": "duplicate",
            "fail_rate": "0",
            "timeout_rate": "0",
            "duplicate_rate": "0",
            "unavailable_rate": "0",
        },
    )

    assert response.status_code == 302, response.content[:500]
    assert TreasuryMode.objects.get().behaviour == "duplicate"
    assert AuditEvent.objects.filter(action="payment.treasury_mode").count() == 1
    assert client.get("/django-admin/payments/paymentinstruction/").status_code == 200
    instruction = instruct(city.drc, key="admin:1")
    payment_send(instruction_id=instruction.pk)
    page = client.get(f"/django-admin/payments/paymentinstruction/{instruction.pk}/change/")
    assert page.status_code == 200
    assert TreasuryTransfer.objects.get(key="admin:1").reference in page.content.decode()
    assert client.get("/django-admin/payments/treasurytransfer/").status_code == 200


def test_the_gateway_is_chosen_by_setting(settings):
    assert isinstance(get_gateway(), SimulatedTreasury)
    settings.PAYMENT_GATEWAY = "qinqing.payments.tests.factories.ScriptedGateway"
    assert isinstance(get_gateway(), ScriptedGateway)
    settings.PAYMENT_GATEWAY = "qinqing.payments.models.TreasuryMode"
    with pytest.raises(TypeError):
        get_gateway()


def test_the_lease_must_outlast_the_gateway_timeout(settings):
    assert check_payment_lease() == []
    settings.PAYMENT_LEASE_SECONDS = 30
    settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 30
    assert [e.id for e in check_payment_lease()] == ["payments.E001"]

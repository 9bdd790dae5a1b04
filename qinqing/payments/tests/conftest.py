from __future__ import annotations

import pytest

from qinqing.payments.signals import payment_failed, payment_settled

from .factories import ScriptedGateway


@pytest.fixture
def scripted(settings):
    settings.PAYMENT_GATEWAY = "qinqing.payments.tests.factories.ScriptedGateway"
    ScriptedGateway.reset()
    yield ScriptedGateway
    ScriptedGateway.reset()


@pytest.fixture
def signals():
    """The payment_settled and payment_failed signals received, as (name, instruction key)."""
    received: list[tuple[str, str]] = []

    def on_settled(sender, instruction, **kwargs):
        received.append(("settled", instruction.key))

    def on_failed(sender, instruction, **kwargs):
        received.append(("failed", instruction.key))

    payment_settled.connect(on_settled, weak=False)
    payment_failed.connect(on_failed, weak=False)
    yield received
    payment_settled.disconnect(on_settled)
    payment_failed.disconnect(on_failed)
